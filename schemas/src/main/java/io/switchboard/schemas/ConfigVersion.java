package io.switchboard.schemas;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One version of the live configuration, on the compacted config topic (key: the version number in
 * decimal). Shape: {@code schemas/config-version.schema.json}. Versions only grow: a rollback
 * publishes a new version with an older one's body, so the topic reads as the history of what was
 * in force.
 *
 * @param version 1 for the first version, one more for each next one
 * @param appliedAt when it was published
 * @param description what it is: the file it came from, or the version it rolls back to
 * @param config the live sections of the config in their native JSON form; API keys are only
 *     environment references there, and the {@code kafka} section is never part of it
 */
public record ConfigVersion(
    long version, Instant appliedAt, String description, ObjectNode config) {

  public ConfigVersion {
    if (version < 1) {
      throw new IllegalArgumentException("version must be at least 1, was " + version);
    }
    Objects.requireNonNull(appliedAt, "applied_at");
    Objects.requireNonNull(config, "config");
    config = config.deepCopy();
  }

  /** The record key of a version on the config topic. */
  public static String key(long version) {
    return Long.toString(version);
  }
}
