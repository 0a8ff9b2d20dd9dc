package io.switchboard.app;

import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.batch.BatchFormat;
import io.switchboard.client.batch.BatchOptions;
import io.switchboard.client.batch.BatchResult;
import io.switchboard.client.batch.BatchRunner;
import io.switchboard.client.batch.BatchStatus;
import io.switchboard.schemas.Priority;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard batch}: runs a JSONL batch with {@link BatchRunner} and turns how it ended
 * into an exit code. Invalid options and input that stop the batch before it starts end through the
 * {@link ErrorReporter} (one line, exit {@value #EXIT_INVALID_INPUT}).
 */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    header = "Runs an OpenAI or Anthropic batch file.",
    description = {
      "Runs an OpenAI Batch (or Anthropic Message Batches) JSONL file through Switchboard.",
      "Every line is checked first; with any invalid line nothing is sent (see --skip-invalid).",
      "Resumable: run the same command again after a crash; the output path names the batch.",
      "Exit codes: 0 all ok, 1 some lines failed (or a file could not be written), 2 invalid input or options,"
          + " 3 some lines unanswered (run again to resume), 4 the Kafka cluster did not answer."
    })
public final class BatchCommand implements Callable<Integer> {
  /** Every line answered ok. */
  public static final int EXIT_OK = 0;

  /** Every line answered, some with an error (or skipped as invalid). */
  public static final int EXIT_FAILURES = 1;

  /** Invalid input or options: nothing sent. */
  public static final int EXIT_INVALID_INPUT = 2;

  /** Some lines got no reply within the timeout: run the same command again to resume. */
  public static final int EXIT_INCOMPLETE = 3;

  @Mixin ConfigOptions kafka;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "the JSONL input")
  Path input;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "FILE",
      description = "the JSONL output, appended to as replies arrive")
  Path output;

  @Option(
      names = "--errors",
      paramLabel = "FILE",
      description = "also write error replies (and skipped lines) here")
  Path errors;

  @Option(names = "--model", description = "route every line to this model (else the line's model)")
  String model;

  @Option(names = "--group", description = "route every line to this load_balance_group")
  String group;

  @Option(
      names = "--max-in-flight",
      defaultValue = "256",
      paramLabel = "N",
      description = "requests awaiting a reply at once (default ${DEFAULT-VALUE})")
  int maxInFlight;

  @Option(
      names = "--format",
      defaultValue = "openai",
      paramLabel = "openai|anthropic",
      description = "input and output dialect (default ${DEFAULT-VALUE})")
  BatchFormat format;

  @Option(
      names = "--skip-invalid",
      description =
          "send the valid lines even when some are invalid; write the invalid"
              + " ones to --errors")
  boolean skipInvalid;

  @Option(
      names = "--timeout",
      defaultValue = "600",
      paramLabel = "SECONDS",
      description =
          "how long one request may wait for its reply in this run (default ${DEFAULT-VALUE})")
  long requestTimeout;

  @Option(
      names = "--progress-interval",
      defaultValue = "10",
      paramLabel = "SECONDS",
      description = "seconds between plain progress lines (default ${DEFAULT-VALUE})")
  long progressInterval;

  @Option(
      names = "--progress",
      defaultValue = "auto",
      paramLabel = "auto|bar|plain|none",
      description =
          "progress on standard error: auto draws a bar when standard error is a terminal and plain"
              + " lines otherwise (default ${DEFAULT-VALUE})")
  ProgressChoice progress;

  @Option(
      names = "--priority",
      defaultValue = "batch",
      paramLabel = "interactive|default|batch",
      description =
          "the class of the lines that give none: batch yields a deployment's budget to the others"
              + " (default ${DEFAULT-VALUE})")
  Priority priority;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    BatchOptions options =
        BatchOptions.builder(input, output)
            .errors(errors)
            .model(model)
            .group(group)
            .maxInFlight(maxInFlight)
            .priority(priority)
            .format(format)
            .skipInvalid(skipInvalid)
            .requestTimeout(Duration.ofSeconds(requestTimeout))
            .progressInterval(Duration.ofSeconds(progressInterval))
            .progress(progress.resolve(System.err))
            .build();
    ConnectionSettings connection = kafka.connection();
    PrintWriter err = spec.commandLine().getErr();
    BatchResult result;
    try {
      result =
          kafka.whileConnecting(
              connection.kafka(),
              () ->
                  new BatchRunner(connection, options, System.out, System.err, Clock.systemUTC())
                      .run());
    } catch (IOException | UncheckedIOException e) {
      err.println(
          "switchboard batch: cannot read or write a file: "
              + e.getMessage()
              + "; the output so far is kept, run the same command again to resume");
      return EXIT_FAILURES;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("switchboard batch: interrupted; run the same command again to resume");
      return EXIT_INCOMPLETE;
    } catch (IllegalStateException | IllegalArgumentException e) {
      // a batch too large, a reply topic the allowlist refuses, a reply topic that cannot be read
      err.println("switchboard batch: " + e.getMessage());
      return EXIT_FAILURES;
    }
    if (result.status() == BatchStatus.INVALID_INPUT) {
      err.println(
          "switchboard batch: fix the invalid lines, or pass --skip-invalid to send the valid ones and write"
              + " the invalid ones to --errors");
    }
    return exitCode(result.status());
  }

  /** The exit code of a batch that ran. */
  static int exitCode(BatchStatus status) {
    return switch (status) {
      case OK -> EXIT_OK;
      case FAILURES -> EXIT_FAILURES;
      case INVALID_INPUT -> EXIT_INVALID_INPUT;
      case INCOMPLETE -> EXIT_INCOMPLETE;
    };
  }
}
