package io.switchboard.schemas.config.live;

/**
 * A version could not be published: another publisher took the version number first, or the cluster
 * did not take the record. The message says which and what to do.
 */
public final class ConfigPublishException extends RuntimeException {
  public ConfigPublishException(String message, Throwable cause) {
    super(message, cause);
  }
}
