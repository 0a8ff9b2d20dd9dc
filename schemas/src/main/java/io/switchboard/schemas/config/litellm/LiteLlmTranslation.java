package io.switchboard.schemas.config.litellm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A LiteLLM config in the native form, with what the translation left out. Only key paths are kept,
 * never the values of keys left out (a {@code general_settings.master_key} stays in the file).
 *
 * @param tree the native config tree, before {@code ${ENV}} substitution and validation
 * @param ignored LiteLLM key paths that have no bearing on routing here or no equivalent, each with
 *     why (empty when the key is simply not a routing setting)
 * @param unsupported LiteLLM key paths whose native key this build does not have yet
 * @param notes how values were translated where the translation is not one to one
 */
public record LiteLlmTranslation(
    ObjectNode tree, Map<String, String> ignored, List<String> unsupported, List<String> notes) {

  public LiteLlmTranslation {
    tree = tree.deepCopy();
    ignored = Collections.unmodifiableMap(new LinkedHashMap<>(ignored));
    unsupported = List.copyOf(unsupported);
    notes = List.copyOf(notes);
  }

  @Override
  public ObjectNode tree() {
    return tree.deepCopy();
  }

  /**
   * One line naming every key left out, for the log of a process that loads {@code source}; empty
   * when nothing was left out.
   */
  public Optional<String> warning(String source) {
    if (ignored.isEmpty() && unsupported.isEmpty()) {
      return Optional.empty();
    }
    List<String> parts = new ArrayList<>();
    if (!ignored.isEmpty()) {
      parts.add(
          "ignored "
              + ignored.size()
              + " key"
              + (ignored.size() == 1 ? "" : "s")
              + ": "
              + String.join(", ", ignored.keySet()));
    }
    if (!unsupported.isEmpty()) {
      parts.add("not yet supported: " + String.join(", ", unsupported));
    }
    return Optional.of(source + " (LiteLLM form): " + String.join("; ", parts));
  }
}
