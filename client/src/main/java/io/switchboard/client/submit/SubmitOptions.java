package io.switchboard.client.submit;

import io.switchboard.client.InvalidOptionException;
import io.switchboard.schemas.Priority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One request for {@link SubmitRunner}: what it sends and how long it waits. Checked as it is
 * built: a bad field throws an {@link InvalidOptionException} naming it.
 *
 * @param prompt a user message; exclusive with {@code file}
 * @param file a JSON file: a whole request ({@code {"body": {...}, ...}}, the id is optional) or an
 *     OpenAI chat body ({@code {"messages": [...], ...}})
 * @param model sets the request's {@code model}
 * @param group sets the request's {@code load_balance_group}
 * @param timeout how long to wait for the reply
 * @param clientId the client id naming the reply topic; null for the default (the host name)
 * @param priority sets the request's class; null keeps the file's, or default
 */
public record SubmitOptions(
    String prompt,
    Path file,
    String model,
    String group,
    Duration timeout,
    String clientId,
    Priority priority) {
  public SubmitOptions {
    if (model != null && group != null) {
      throw new InvalidOptionException("group", "model and group are exclusive: give one of them");
    }
    if ((prompt == null) == (file == null)) {
      throw new InvalidOptionException(
          "prompt", "give either a prompt or a request file (one of them)");
    }
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new InvalidOptionException("timeout", "timeout must be positive, was " + timeout);
    }
  }

  /** Options that keep the request's class (the file's, or default). */
  public SubmitOptions(
      String prompt, Path file, String model, String group, Duration timeout, String clientId) {
    this(prompt, file, model, group, timeout, clientId, null);
  }
}
