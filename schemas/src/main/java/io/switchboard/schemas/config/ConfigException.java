package io.switchboard.schemas.config;

/** A config file that cannot be used; the message names the file, the path and the problem. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
