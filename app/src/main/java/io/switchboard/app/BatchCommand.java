package io.switchboard.app;

import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.batch.BatchFormat;
import io.switchboard.client.batch.BatchOptions;
import io.switchboard.client.batch.BatchRunner;
import io.switchboard.client.batch.ProgressMode;
import io.switchboard.schemas.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code switchboard batch}: runs a JSONL batch; all logic is in {@link BatchRunner}. */
@Command(name = "batch", mixinStandardHelpOptions = true,
    description = {
        "Runs an OpenAI Batch (or Anthropic Message Batches) JSONL file through Switchboard.",
        "Every line is checked first; with any invalid line nothing is sent (see --skip-invalid).",
        "Resumable: run the same command again after a crash; the output path names the batch.",
        "Exit codes: 0 all ok, 1 some lines failed, 2 invalid input or options, 3 some lines unanswered"
            + " (run again to resume)."})
public final class BatchCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions kafka;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "the JSONL input")
  Path input;

  @Option(names = "--output", required = true, paramLabel = "FILE",
      description = "the JSONL output, appended to as replies arrive")
  Path output;

  @Option(names = "--errors", paramLabel = "FILE", description = "also write error replies (and skipped lines) here")
  Path errors;

  @Option(names = "--model", description = "route every line to this model (else the line's model)")
  String model;

  @Option(names = "--group", description = "route every line to this load_balance_group")
  String group;

  @Option(names = "--max-in-flight", defaultValue = "256", paramLabel = "N",
      description = "requests awaiting a reply at once (default ${DEFAULT-VALUE})")
  int maxInFlight;

  @Option(names = "--format", defaultValue = "openai", paramLabel = "openai|anthropic",
      description = "input and output dialect (default ${DEFAULT-VALUE})")
  String format;

  @Option(names = "--skip-invalid", description = "send the valid lines even when some are invalid; write the invalid"
      + " ones to --errors")
  boolean skipInvalid;

  @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS",
      description = "how long one request may wait for its reply in this run (default ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Option(names = "--progress-interval", defaultValue = "10", paramLabel = "SECONDS",
      description = "seconds between plain progress lines (default ${DEFAULT-VALUE})")
  long progressSeconds;

  @Option(names = "--progress", defaultValue = "auto", paramLabel = "auto|bar|plain|none",
      description = "progress on standard error: auto draws a bar when standard error is a terminal and plain"
          + " lines otherwise (default ${DEFAULT-VALUE})")
  String progress;

  @Override
  public Integer call() {
    ConnectionSettings connection;
    BatchOptions options;
    try {
      BatchFormat f = switch (format.toLowerCase(Locale.ROOT)) {
        case "openai" -> BatchFormat.OPENAI;
        case "anthropic" -> BatchFormat.ANTHROPIC;
        default -> throw new IllegalArgumentException("--format must be openai or anthropic, was '" + format + "'");
      };
      options = BatchOptions.builder(input, output).errors(errors).model(model).group(group).maxInFlight(maxInFlight)
          .format(f).skipInvalid(skipInvalid).requestTimeout(Duration.ofSeconds(timeoutSeconds))
          .progressInterval(Duration.ofSeconds(progressSeconds)).progress(ProgressMode.parse(progress)).build();
      connection = kafka.connection();
    } catch (IllegalArgumentException | ConfigException e) {
      System.err.println("switchboard batch: " + e.getMessage());
      return BatchRunner.EXIT_INVALID_INPUT;
    }
    return BatchRunner.run(connection, options, System.out, System.err);
  }
}
