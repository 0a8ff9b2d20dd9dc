package io.switchboard.client.batch;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.client.ClientOptions;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.SubmitAllResult;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.client.batch.internal.BatchLine;
import io.switchboard.client.batch.internal.CustomIds;
import io.switchboard.client.batch.internal.InputScan;
import io.switchboard.client.batch.internal.InvalidLineException;
import io.switchboard.client.batch.internal.LineFormat;
import io.switchboard.client.batch.internal.LongHashSet;
import io.switchboard.client.batch.internal.OutputFile;
import io.switchboard.client.batch.internal.Progress;
import io.switchboard.client.batch.internal.ResultWriter;
import io.switchboard.client.batch.internal.Summary;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Runs a JSONL batch through Switchboard (the engine of {@code switchboard batch}).
 *
 * <h2>Input is checked whole first</h2>
 *
 * Every line is checked before anything is sent (JSON object, non-empty {@code custom_id}, the
 * format's fields, {@code messages}, a model unless {@code --model}/{@code --group} gives one, no
 * duplicate {@code custom_id}). With any invalid line nothing is sent and the run ends with {@link
 * BatchStatus#INVALID_INPUT}, listing the first {@link BatchOptions#maxReportedErrors()} lines with
 * their line numbers and counting the rest. With {@link BatchOptions#skipInvalid()} the valid lines
 * are sent and the invalid ones written to the errors file. Blank lines are skipped. The file is
 * streamed (counted, checked, then sent) and never loaded: memory holds a 64-bit hash per line and
 * two bits for "answered" and "error written" (see {@link CustomIds}, which also says how
 * collisions are kept exact); the requests in flight are bounded by {@link
 * BatchOptions#maxInFlight()}.
 *
 * <h2>Resumable and crash-safe</h2>
 *
 * The output file names the batch: {@link #batchId(Path)} is derived from its absolute path, every
 * request id is {@code <batchId>:<custom_id>}, and the batch reads its replies from its own topic
 * {@code <replies>.batch-<batchId>} (kept 7 days). Each output line is written as its reply
 * arrives, in append mode. A run first cuts a partial last line (a crash mid-write), reads the
 * custom ids already in the output, then reads the batch's reply topic from the beginning and
 * writes every reply whose custom id has no output line yet (answers that arrived after a crash are
 * neither lost nor requested again), and only then sends the lines still unanswered. Replies are
 * de-duplicated by custom id as they are written, so the output never holds a custom id twice. To
 * start a batch over, delete the output file and write to a new path.
 *
 * <h2>Output</h2>
 *
 * One line per custom id in the {@link BatchFormat}'s output shape, plus a {@code switchboard}
 * field: {@code {status, deployment_id, model, model_name, attempts, latency_ms, cost_usd,
 * tokens_in, tokens_out}}. Error replies also go to the errors file when one is given.
 *
 * <h2>Result</h2>
 *
 * {@link #run()} returns a {@link BatchResult} whose {@link BatchStatus} says how the run ended. A
 * batch that cannot start (no input file, an output or errors file that is not a batch's) throws a
 * {@link BatchException}; a file that cannot be read or written an {@link IOException}.
 */
public final class BatchRunner {
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(10);

  private final ConnectionSettings connection;
  private final BatchOptions options;
  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  /**
   * @param out receives the summary
   * @param err receives progress, input errors and warnings
   */
  public BatchRunner(
      ConnectionSettings connection,
      BatchOptions options,
      PrintStream out,
      PrintStream err,
      Clock clock) {
    this.connection = connection;
    this.options = options;
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  /**
   * The batch id of an output file: the first 16 hex digits of the SHA-256 of its absolute,
   * normalized path. The same output path resumes the same batch.
   */
  public static String batchId(Path output) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  output.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The reply topic of a batch: {@code <replies>.batch-<batchId>}. */
  public static String replyTopic(ConnectionSettings connection, String batchId) {
    return connection.topics().replies() + ".batch-" + batchId;
  }

  /** Runs the batch. */
  public BatchResult run() throws IOException, InterruptedException {
    if (!Files.isRegularFile(options.input())) {
      throw new BatchException(
          "input file " + options.input() + " does not exist or is not a file");
    }
    LineFormat format =
        LineFormat.of(options.format(), options.model() != null || options.group() != null);
    InputScan.Result scan = InputScan.scan(options.input(), format, options.maxReportedErrors());
    if (scan.invalid() > 0) {
      reportInvalid(scan);
      if (!options.skipInvalid()) {
        err.println("nothing was sent");
        return new BatchResult(
            BatchStatus.INVALID_INPUT,
            scan.valid(),
            scan.invalid(),
            0,
            0,
            0,
            0,
            0,
            0,
            scan.valid());
      }
    }
    String batchId = batchId(options.output());
    String replyTopic = replyTopic(connection, batchId);

    long cut = OutputFile.truncatePartialLastLine(options.output());
    if (cut > 0) {
      err.println(
          "removed a partial last line ("
              + cut
              + " bytes) from "
              + options.output()
              + " left by an interrupted run; its reply is written again");
    }
    Summary summary = new Summary();
    long alreadyAnswered = readOutput(scan.ids(), summary);
    LongHashSet invalidLinesWritten = new LongHashSet();
    if (options.errors() != null) {
      OutputFile.truncatePartialLastLine(options.errors());
      readErrors(scan.ids(), invalidLinesWritten);
    }
    long alreadyFailed = summary.failed();

    SubmitAllResult sent;
    long recovered;
    long writtenNow;
    try (ResultWriter writer =
            new ResultWriter(
                options.output(),
                options.errors(),
                format,
                batchId,
                scan.ids(),
                invalidLinesWritten,
                summary);
        Progress progress =
            new Progress(
                err,
                options.progress(),
                options.progressInterval(),
                clock,
                scan.valid(),
                alreadyAnswered,
                alreadyFailed)) {
      writer.progress(progress);
      progress.start();
      try (SwitchboardClient client =
          SwitchboardClient.create(
              connection,
              ClientOptions.builder()
                  .clientId("batch-" + batchId)
                  .replyTopic(replyTopic)
                  .maxInFlight(options.maxInFlight())
                  .requestTimeout(options.requestTimeout())
                  .replyFrom(ClientOptions.ReplyStart.BEGINNING)
                  .unmatchedReplies(writer::accept)
                  .submitAllPriority(options.priority())
                  .build())) {
        if (!client.awaitCaughtUp(CATCH_UP_TIMEOUT)) {
          throw new IllegalStateException(
              "could not read reply topic '"
                  + replyTopic
                  + "' to its end within "
                  + CATCH_UP_TIMEOUT
                  + "; nothing was sent, run again to resume");
        }
        recovered = writer.writtenNow();
        if (recovered > 0) {
          err.println(
              "recovered "
                  + recovered
                  + " replies from reply topic '"
                  + replyTopic
                  + "' that had arrived after the last run stopped");
        }
        try (Requests requests = new Requests(format, scan, writer, batchId)) {
          sent = client.submitAll(requests, writer::accept);
        }
      }
      if (writer.failure() != null) {
        throw writer.failure();
      }
      writtenNow = writer.writtenNow();
    }
    long answered = alreadyAnswered + writtenNow;
    long unanswered = Math.max(0, scan.valid() - answered);
    summary.print(out);
    BatchStatus status =
        unanswered > 0
            ? BatchStatus.INCOMPLETE
            : summary.failed() > 0 || scan.invalid() > 0 ? BatchStatus.FAILURES : BatchStatus.OK;
    if (unanswered > 0) {
      err.println(
          unanswered
              + " of "
              + scan.valid()
              + " lines have no reply yet (no reply within "
              + options.requestTimeout()
              + "); run the batch again to resume: replies arriving meanwhile are kept");
    }
    return new BatchResult(
        status,
        scan.valid(),
        scan.invalid(),
        answered,
        summary.ok(),
        summary.failed(),
        alreadyAnswered,
        recovered,
        sent.submitted(),
        unanswered);
  }

  private long outputLinesOutsideInput;

  private void reportInvalid(InputScan.Result scan) {
    err.println(
        options.input()
            + ": "
            + scan.invalid()
            + " invalid line"
            + (scan.invalid() == 1 ? "" : "s")
            + ":");
    scan.errors().forEach(e -> err.println("  line " + e.line() + ": " + e.message()));
    if (scan.invalid() > scan.errors().size()) {
      err.println("  ... and " + (scan.invalid() - scan.errors().size()) + " more");
    }
  }

  /**
   * Reads the output of earlier runs, marking the input ids it answers; returns how many of its
   * lines answer a line of this input.
   */
  private long readOutput(CustomIds inputIds, Summary summary) throws IOException {
    long answered = 0;
    LongHashSet outside = new LongHashSet();
    if (!Files.exists(options.output())) {
      return 0;
    }
    try (InputScan.Lines lines = new InputScan.Lines(options.output())) {
      for (String line = lines.next(); line != null; line = lines.next()) {
        JsonNode node;
        try {
          node = Json.mapper().readTree(line);
        } catch (IOException e) {
          throw new BatchException(
              "output file "
                  + options.output()
                  + " line "
                  + lines.number()
                  + " is not JSON; is it a batch's output? Write to another output file");
        }
        JsonNode id = node.get("custom_id");
        if (id == null || !id.isTextual()) {
          throw new BatchException(
              "output file "
                  + options.output()
                  + " line "
                  + lines.number()
                  + " has no custom_id; is it a batch's output? Write to another output file");
        }
        if (inputIds.markAnswered(id.asText())) {
          answered++;
        } else if (inputIds.contains(id.asText()) || !outside.add(CustomIds.hash(id.asText()))) {
          continue;
        } else {
          outputLinesOutsideInput++;
        }
        summary.add(node.get("switchboard"));
      }
    }
    if (outputLinesOutsideInput > 0) {
      err.println(
          "warning: "
              + outputLinesOutsideInput
              + " lines of "
              + options.output()
              + " answer custom ids that are not in "
              + options.input()
              + "; they are kept");
    }
    return answered;
  }

  private void readErrors(CustomIds inputIds, LongHashSet invalidLinesWritten) throws IOException {
    try (InputScan.Lines lines = new InputScan.Lines(options.errors())) {
      for (String line = lines.next(); line != null; line = lines.next()) {
        try {
          JsonNode node = Json.mapper().readTree(line);
          if (node.hasNonNull("line")) {
            invalidLinesWritten.add(node.get("line").asLong());
          } else if (node.path("custom_id").isTextual()) {
            inputIds.markErrorWritten(node.get("custom_id").asText());
          }
        } catch (IOException e) {
          throw new BatchException(
              "errors file "
                  + options.errors()
                  + " line "
                  + lines.number()
                  + " is not JSON; write errors to another file");
        }
      }
    } catch (NoSuchFileException e) {
      // no errors file yet
    }
  }

  /** The lines still to send, read lazily; invalid lines go to the errors file. */
  private final class Requests implements Iterator<RouteRequest>, AutoCloseable {
    private final LineFormat format;
    private final InputScan.Result scan;
    private final ResultWriter writer;
    private final String batchId;
    private final InputScan.Lines lines;
    private RouteRequest next;

    Requests(LineFormat format, InputScan.Result scan, ResultWriter writer, String batchId)
        throws IOException {
      this.format = format;
      this.scan = scan;
      this.writer = writer;
      this.batchId = batchId;
      this.lines = new InputScan.Lines(options.input());
    }

    @Override
    public boolean hasNext() {
      if (next == null) {
        next = advance();
      }
      return next != null;
    }

    @Override
    public RouteRequest next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      RouteRequest r = next;
      next = null;
      return r;
    }

    private RouteRequest advance() {
      try {
        for (String line = lines.next(); line != null; line = lines.next()) {
          if (writer.failure() != null) {
            throw new UncheckedIOException(writer.failure());
          }
          BatchLine parsed;
          try {
            parsed = format.parse(line);
          } catch (InvalidLineException e) {
            writer.invalid(lines.number(), LineFormat.customIdOrNull(line), e.getMessage());
            continue;
          }
          String duplicate = scan.duplicateLines().get(lines.number());
          if (duplicate != null) {
            writer.invalid(lines.number(), parsed.customId(), duplicate);
            continue;
          }
          if (writer.answered(parsed.customId())) {
            continue;
          }
          return request(parsed);
        }
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private RouteRequest request(BatchLine line) {
      return line.request(
          writer.requestId(line.customId()),
          options.model(),
          options.group(),
          Map.of("batch_id", batchId, "custom_id", line.customId()));
    }

    @Override
    public void close() throws IOException {
      lines.close();
    }
  }
}
