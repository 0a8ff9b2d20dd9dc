package io.switchboard.client.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.testing.BatchFiles;
import io.switchboard.client.testing.Responder;
import io.switchboard.client.testing.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
class BatchResumeIT {
  static final int LINES = 3000;

  @TempDir Path dir;

  static long lineCount(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.count();
    }
  }

  @Test
  void aKilledBatchResumesWithoutLosingOrRepeatingAnswers() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    Path input =
        BatchFiles.write(
            dir.resolve("in.jsonl"),
            LINES,
            i -> BatchFiles.openAiLine("c-" + i, i % 50 == 3 ? "p" + i + " [fail]" : "p" + i));
    Path output = dir.resolve("out.jsonl");
    Path childLog = dir.resolve("child.log");
    try (Responder responder = new Responder(conn)) {
      responder.pauseMicrosPerRequest(2_000);
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process child =
          new ProcessBuilder(
                  java,
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  BatchChildMain.class.getName(),
                  TestKafka.bootstrap(),
                  TestKafka.prefix(conn),
                  input.toString(),
                  output.toString(),
                  "100")
              .redirectErrorStream(true)
              .redirectOutput(childLog.toFile())
              .start();
      try {
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> !child.isAlive() || lineCount(output) >= 600);
        assertThat(child.isAlive())
            .as(
                "the child batch is still running; its log:%n%s",
                Files.exists(childLog) ? Files.readString(childLog) : "")
            .isTrue();
      } finally {
        child.destroyForcibly();
        child.waitFor();
      }
      long writtenBeforeKill = lineCount(output);
      assertThat(writtenBeforeKill).isLessThan(LINES);

      // The requests in flight at the kill are answered while no batch runs.
      responder.pauseMicrosPerRequest(0);
      long sentByKilledRun = TestKafka.recordCount(conn.topics().requests());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> responder.answered.get() == sentByKilledRun);
      assertThat(sentByKilledRun).isGreaterThan(writtenBeforeKill);

      // A crash in the middle of a write leaves half a line.
      Files.writeString(
          output, "{\"id\":\"batch_req_0\",\"custom_id\":\"c-12", StandardOpenOption.APPEND);

      ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
      BatchResult result =
          new BatchRunner(
                  conn,
                  BatchOptions.builder(input, output).maxInFlight(200).terminal(false).build(),
                  new PrintStream(new ByteArrayOutputStream()),
                  new PrintStream(errBytes, true, StandardCharsets.UTF_8),
                  Clock.systemUTC())
              .run();
      String err = errBytes.toString(StandardCharsets.UTF_8);

      assertThat(result.status()).as(err).isEqualTo(BatchStatus.FAILURES);
      assertThat(err).contains("removed a partial last line");
      assertThat(result.alreadyAnswered()).isEqualTo(writtenBeforeKill);
      assertThat(result.recovered())
          .as("answers that arrived after the kill")
          .isEqualTo(sentByKilledRun - writtenBeforeKill);
      assertThat(result.sent()).isEqualTo(LINES - sentByKilledRun);
      assertThat(TestKafka.recordCount(conn.topics().requests()))
          .as("no request is sent twice")
          .isEqualTo(LINES);
      assertThat(result.answered()).isEqualTo(LINES);
      assertThat(result.failed()).isEqualTo(LINES / 50);
    }
    List<JsonNode> lines = BatchFiles.read(output);
    assertThat(lines).hasSize(LINES);
    Set<String> ids =
        lines.stream().map(l -> l.get("custom_id").asText()).collect(Collectors.toSet());
    assertThat(ids)
        .isEqualTo(IntStream.range(0, LINES).mapToObj(i -> "c-" + i).collect(Collectors.toSet()));
    assertThat(Files.readString(output)).endsWith("\n");
  }

  @Test
  void aFinishedBatchRunAgainSendsNothing() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    Path input =
        BatchFiles.write(
            dir.resolve("in.jsonl"), 200, i -> BatchFiles.openAiLine("c-" + i, "p" + i));
    Path output = dir.resolve("out.jsonl");
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    try (Responder responder = new Responder(conn)) {
      BatchOptions options = BatchOptions.builder(input, output).terminal(false).build();
      BatchResult first = new BatchRunner(conn, options, quiet, quiet, Clock.systemUTC()).run();
      assertThat(first.status()).isEqualTo(BatchStatus.OK);
      String before = Files.readString(output);
      BatchResult second = new BatchRunner(conn, options, quiet, quiet, Clock.systemUTC()).run();
      assertThat(second.status()).isEqualTo(BatchStatus.OK);
      assertThat(second.sent()).isZero();
      assertThat(second.alreadyAnswered()).isEqualTo(200);
      assertThat(Files.readString(output)).isEqualTo(before);
      assertThat(TestKafka.recordCount(conn.topics().requests())).isEqualTo(200);
    }
  }
}
