package io.switchboard.client.batch;

import io.switchboard.client.InvalidOptionException;
import io.switchboard.schemas.Priority;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link BatchRunner} does. Build with {@link #builder(Path, Path)}; every field is checked
 * as the record is built, and a bad one throws an {@link InvalidOptionException} naming it.
 *
 * @param input the JSONL input
 * @param output the JSONL output; appended to, and it names the batch (see {@link
 *     BatchRunner#batchId})
 * @param errors where error replies (and, with {@code skipInvalid}, invalid lines) are also
 *     written; null for none
 * @param model sets every request's {@code model} (else the line's model is used)
 * @param group sets every request's {@code load_balance_group}; exclusive with {@code model}
 * @param maxInFlight the most requests awaiting a reply at once (default 256)
 * @param format the JSONL dialect (default {@link BatchFormat#OPENAI})
 * @param skipInvalid send the valid lines even when some are invalid (default: send nothing then)
 * @param requestTimeout how long a request may wait for its reply in this run (default 10 minutes);
 *     one without a reply is left for the next run
 * @param progressInterval how often a {@link ProgressMode#PLAIN} progress line is printed (default
 *     10 s)
 * @param progress how progress is shown on the error stream (default {@link ProgressMode#PLAIN})
 * @param maxReportedErrors how many invalid lines are listed before only counting (default 50)
 * @param priority the class of the lines that give none (default {@link Priority#BATCH})
 */
public record BatchOptions(
    Path input,
    Path output,
    Path errors,
    String model,
    String group,
    int maxInFlight,
    BatchFormat format,
    boolean skipInvalid,
    Duration requestTimeout,
    Duration progressInterval,
    ProgressMode progress,
    int maxReportedErrors,
    Priority priority) {

  public BatchOptions {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(progressInterval, "progressInterval");
    Objects.requireNonNull(progress, "progress");
    Objects.requireNonNull(priority, "priority");
    if (model != null && group != null) {
      throw new InvalidOptionException(
          "group",
          "model and group are exclusive: give one of them, was model '"
              + model
              + "' and group '"
              + group
              + "'");
    }
    if (maxInFlight < 1) {
      throw new InvalidOptionException(
          "maxInFlight", "maxInFlight must be at least 1, was " + maxInFlight);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new InvalidOptionException(
          "requestTimeout", "requestTimeout must be positive, was " + requestTimeout);
    }
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new InvalidOptionException(
          "progressInterval", "progressInterval must be positive, was " + progressInterval);
    }
    if (maxReportedErrors < 1) {
      throw new InvalidOptionException(
          "maxReportedErrors", "maxReportedErrors must be at least 1, was " + maxReportedErrors);
    }
    Path in = input.toAbsolutePath().normalize();
    if (in.equals(output.toAbsolutePath().normalize())) {
      throw new InvalidOptionException(
          "output", "output must be another file than the input, was " + output);
    }
    if (errors != null && in.equals(errors.toAbsolutePath().normalize())) {
      throw new InvalidOptionException(
          "errors", "errors must be another file than the input, was " + errors);
    }
    if (errors != null
        && errors.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
      throw new InvalidOptionException(
          "errors", "errors must be another file than the output, was " + errors);
    }
  }

  public static Builder builder(Path input, Path output) {
    return new Builder(input, output);
  }

  /** Builds {@link BatchOptions}. */
  public static final class Builder {
    private final Path input;
    private final Path output;
    private Path errors;
    private String model;
    private String group;
    private int maxInFlight = 256;
    private BatchFormat format = BatchFormat.OPENAI;
    private boolean skipInvalid;
    private Duration requestTimeout = Duration.ofMinutes(10);
    private Duration progressInterval = Duration.ofSeconds(10);
    private ProgressMode progress = ProgressMode.PLAIN;
    private int maxReportedErrors = 50;

    private Priority priority = Priority.BATCH;

    private Builder(Path input, Path output) {
      this.input = input;
      this.output = output;
    }

    public Builder errors(Path file) {
      this.errors = file;
      return this;
    }

    public Builder model(String m) {
      this.model = m;
      return this;
    }

    public Builder group(String g) {
      this.group = g;
      return this;
    }

    public Builder maxInFlight(int n) {
      this.maxInFlight = n;
      return this;
    }

    public Builder format(BatchFormat f) {
      this.format = f;
      return this;
    }

    public Builder skipInvalid(boolean on) {
      this.skipInvalid = on;
      return this;
    }

    public Builder requestTimeout(Duration d) {
      this.requestTimeout = d;
      return this;
    }

    public Builder progressInterval(Duration d) {
      this.progressInterval = d;
      return this;
    }

    public Builder progress(ProgressMode mode) {
      this.progress = mode;
      return this;
    }

    /** Shorthand: true for {@link ProgressMode#BAR}, false for {@link ProgressMode#PLAIN}. */
    public Builder terminal(boolean on) {
      this.progress = on ? ProgressMode.BAR : ProgressMode.PLAIN;
      return this;
    }

    public Builder maxReportedErrors(int n) {
      this.maxReportedErrors = n;
      return this;
    }

    public Builder priority(Priority p) {
      this.priority = p;
      return this;
    }

    public BatchOptions build() {
      return new BatchOptions(
          input,
          output,
          errors,
          model,
          group,
          maxInFlight,
          format,
          skipInvalid,
          requestTimeout,
          progressInterval,
          progress,
          maxReportedErrors,
          priority);
    }
  }
}
