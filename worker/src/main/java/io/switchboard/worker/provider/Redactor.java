package io.switchboard.worker.provider;

import java.util.regex.Pattern;

/**
 * Removes API keys from text that leaves the adapter (error messages, provider error bodies): the
 * deployment's own key wherever it occurs, and anything shaped like an OpenAI-style key ({@code
 * sk-} followed by 8 or more of {@code [A-Za-z0-9_-]}).
 */
public final class Redactor {
  /** What a removed key is replaced with. */
  public static final String REDACTED = "[redacted]";

  private static final Pattern KEY_SHAPED = Pattern.compile("sk-[A-Za-z0-9_-]{8,}");

  private Redactor() {}

  /**
   * {@code text} without {@code key} (when not null) and without key-shaped tokens; null stays
   * null.
   */
  public static String redact(String text, String key) {
    if (text == null) {
      return null;
    }
    String out = key == null || key.isEmpty() ? text : text.replace(key, REDACTED);
    return KEY_SHAPED.matcher(out).replaceAll(REDACTED);
  }

  /**
   * {@code text} without {@code key}; key-shaped tokens are kept (for completions, whose content is
   * the user's).
   */
  public static String redactKeyOnly(String text, String key) {
    if (text == null || key == null || key.isEmpty()) {
      return text;
    }
    return text.replace(key, REDACTED);
  }
}
