package io.switchboard.schemas.config;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The reply-topic allowlist ({@code reply_topics}): which topics a request may ask its reply to go
 * to. An entry is an exact topic name, or a prefix when it ends in {@code *}.
 */
public final class ReplyTopics {
  private ReplyTopics() {}

  /**
   * The allowlist when {@code reply_topics} is unset: the replies topic and every name under it.
   */
  public static List<String> defaults(TopicsConfig topics) {
    return List.of(topics.replies(), topics.replies() + ".*");
  }

  /** Whether {@code allowlist} lets a request ask for replies on {@code topic}. */
  public static boolean allows(List<String> allowlist, String topic) {
    for (String allowed : allowlist) {
      boolean prefix = allowed.endsWith("*");
      if (prefix
          ? topic.startsWith(allowed.substring(0, allowed.length() - 1))
          : allowed.equals(topic)) {
        return true;
      }
    }
    return false;
  }

  /** A pattern matching exactly the topics {@code allowlist} allows (for pattern subscriptions). */
  public static Pattern pattern(List<String> allowlist) {
    return Pattern.compile(
        allowlist.stream()
            .distinct()
            .map(
                t ->
                    t.endsWith("*")
                        ? Pattern.quote(t.substring(0, t.length() - 1)) + ".*"
                        : Pattern.quote(t))
            .collect(Collectors.joining("|")));
  }
}
