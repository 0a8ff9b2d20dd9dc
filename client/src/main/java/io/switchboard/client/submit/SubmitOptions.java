package io.switchboard.client.submit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code switchboard submit} sends.
 *
 * @param prompt a user message; exclusive with {@code file}
 * @param file a JSON file: a whole request ({@code {"body": {...}, ...}}, the id is optional) or
 *     an OpenAI chat body ({@code {"messages": [...], ...}})
 * @param model sets the request's {@code model}
 * @param group sets the request's {@code load_balance_group}
 * @param timeout how long to wait for the reply
 * @param clientId the client id naming the reply topic; null for the default (the host name)
 */
public record SubmitOptions(String prompt, Path file, String model, String group, Duration timeout, String clientId) {
  public SubmitOptions {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("--timeout must be positive, was " + timeout);
    }
  }
}
