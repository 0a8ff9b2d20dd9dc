package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.app.BatchCommand;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.batch.BatchRunner;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import io.switchboard.testkit.mock.Latency;
import io.switchboard.testkit.process.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code switchboard batch} as a real process against the real broker, router, worker and a faulty
 * mock provider: killed with SIGKILL mid-run, then run again with the same output.
 */
class BatchKillResumeIT {
  static final int LINES = 3000;

  @TempDir Path dir;

  @Test
  @Timeout(480)
  void aBatchKilledMidRunResumesWithEveryLineAnsweredOnceAndNothingAnsweredSentAgain()
      throws Exception {
    Path input = BatchFixtures.writeInput(dir.resolve("in.jsonl"), LINES);
    Path output = dir.resolve("out.jsonl");
    Path errors = dir.resolve("err.jsonl");
    Path config = BatchFixtures.writeFaultyConfig(dir);
    Behavior base = Behavior.ok().withLatency(Latency.uniform(10, 40));
    try (Embedded embedded = Embedded.start(KafkaBrokers::start, config, base, 1, null)) {
      BatchFixtures.injectFaults(embedded.mock(), base);
      String bootstrap = embedded.broker().bootstrapServers();
      String requests = embedded.config().topics().requests();
      String batchId = BatchRunner.batchId(output);
      String replies = BatchRunner.replyTopic(ConnectionSettings.of(embedded.config()), batchId);
      String[] args = {
        "batch",
        "--config",
        config.toString(),
        "--bootstrap",
        bootstrap,
        "--input",
        input.toString(),
        "--output",
        output.toString(),
        "--errors",
        errors.toString(),
        "--model",
        "chat",
        "--max-in-flight",
        "50",
        "--progress",
        "plain",
        "--progress-interval",
        "1"
      };

      try (ChildJvm first = batch("batch-1", args, embedded)) {
        await()
            .atMost(Duration.ofSeconds(180))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> !first.isAlive() || BatchFixtures.lineCount(output) >= LINES / 4);
        assertThat(first.isAlive())
            .as("the first run is still going when killed\n%s", first.tail())
            .isTrue();
        first.kill();
      }
      Set<String> writtenBeforeKill = completeLineIds(output);
      assertThat(writtenBeforeKill).hasSizeGreaterThanOrEqualTo(LINES / 4).hasSizeLessThan(LINES);

      // The requests in flight at the kill are answered on the batch's reply topic while no batch
      // runs.
      List<String> sentByKilledRun = BatchFixtures.idsOnTopic(bootstrap, requests);
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  new HashSet<>(BatchFixtures.idsOnTopic(bootstrap, replies))
                      .containsAll(sentByKilledRun));
      Set<String> answeredAtResume =
          BatchFixtures.idsOnTopic(bootstrap, replies).stream()
              .map(id -> id.substring(batchId.length() + 1))
              .collect(Collectors.toSet());
      assertThat(sentByKilledRun).doesNotHaveDuplicates().hasSizeLessThan(LINES);
      assertThat(answeredAtResume).containsAll(writtenBeforeKill);
      long recoverable = answeredAtResume.size() - writtenBeforeKill.size();

      // A crash in the middle of a write leaves half a line.
      Files.writeString(
          output, "{\"id\":\"batch_req_x\",\"custom_id\":\"c-1", StandardOpenOption.APPEND);
      int callsBeforeResume = (int) embedded.mock().callCount();

      try (ChildJvm second = batch("batch-2", args, embedded)) {
        int exit = second.awaitExit(Duration.ofSeconds(300));
        assertThat(exit)
            .as("some lines get a 400: exit 1\n%s", second.tail())
            .isEqualTo(BatchCommand.EXIT_FAILURES);
        String log = second.logText();
        assertThat(log).contains("removed a partial last line");
        if (recoverable > 0) {
          assertThat(log).contains("recovered " + recoverable + " replies");
        }
        assertThat(log).contains("batch: " + LINES + "/" + LINES);
      }

      List<String> outputIds =
          BatchFixtures.readLines(output).stream().map(l -> l.get("custom_id").asText()).toList();
      assertThat(outputIds)
          .as("every custom_id answered once")
          .doesNotHaveDuplicates()
          .hasSize(LINES)
          .containsExactlyInAnyOrderElementsOf(
              IntStream.range(0, LINES).mapToObj(i -> "c-" + i).toList());
      assertThat(Files.readString(output)).endsWith("\n");
      assertThat(BatchFixtures.idsOnTopic(bootstrap, requests))
          .as("no line is requested twice")
          .doesNotHaveDuplicates()
          .hasSize(LINES);

      List<Call> resumedCalls =
          embedded.mock().calls().subList(callsBeforeResume, (int) embedded.mock().callCount());
      assertThat(resumedCalls)
          .as("the resumed run calls the provider")
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c.requestId()).startsWith(batchId + ":"));
      assertThat(resumedCalls.stream().map(c -> c.requestId().substring(batchId.length() + 1)))
          .as("no provider call for a line answered before the resume")
          .noneMatch(answeredAtResume::contains);
      assertThat(BatchFixtures.readLines(errors).stream().map(l -> l.get("custom_id").asText()))
          .as("each failed line once in the errors file")
          .doesNotHaveDuplicates();
    }
  }

  private ChildJvm batch(String name, String[] args, Embedded embedded) {
    return ChildJvm.builder("io.switchboard.app.Main")
        .name(name)
        .jvmArgs("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
        .args(args)
        .env("MOCK_URL", embedded.mock().baseUrl())
        .log(dir.resolve(name + ".log"))
        .start();
  }

  /** The custom ids of the output's complete lines (a kill may leave a partial last line). */
  private static Set<String> completeLineIds(Path output) throws Exception {
    String text = Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "";
    String complete = text.substring(0, text.lastIndexOf('\n') + 1);
    return Arrays.stream(complete.split("\n"))
        .filter(l -> !l.isBlank())
        .map(l -> Json.parse(l).get("custom_id").asText())
        .collect(Collectors.toSet());
  }
}
