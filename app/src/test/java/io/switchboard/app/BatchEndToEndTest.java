package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.batch.BatchOptions;
import io.switchboard.client.batch.BatchResult;
import io.switchboard.client.batch.BatchRunner;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A batch file through the real router, worker and a faulty mock provider. */
class BatchEndToEndTest {
  @Test
  @Timeout(300)
  void tenThousandLinesWithInjectedFaultsAreEachAnsweredOnce(@TempDir Path dir) throws Exception {
    int n = 10_000;
    Path input = dir.resolve("in.jsonl");
    Files.write(input, IntStream.range(0, n).mapToObj(i -> "{\"custom_id\":\"c-" + i
        + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"line "
        + i + "\"}],\"max_tokens\":8}}").toList());
    Path output = dir.resolve("out.jsonl");
    Path errors = dir.resolve("err.jsonl");
    Behavior faulty = Behavior.ok().withLatencyMs(2).withErrors(0.05, 400);
    try (Embedded embedded = Embedded.start(KafkaBrokers::start, null, faulty, 1, Embedded.DEMO_CONFIG)) {
      ConnectionSettings connection = ConnectionSettings.of(embedded.config());
      BatchOptions options = BatchOptions.builder(input, output).errors(errors).model("chat").maxInFlight(2000)
          .requestTimeout(Duration.ofMinutes(4)).terminal(false).build();
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
      BatchResult result = new BatchRunner(connection, options, out, out, Clock.systemUTC()).run();
      String printed = log.toString(StandardCharsets.UTF_8);
      assertThat(result.answered()).as(printed).isEqualTo(n);

      List<JsonNode> lines = Files.readAllLines(output).stream().map(Json::parse).toList();
      assertThat(lines).hasSize(n);
      Set<String> ids = lines.stream().map(l -> l.path("custom_id").asText()).collect(Collectors.toSet());
      assertThat(ids).hasSize(n).containsAll(IntStream.range(0, n).mapToObj(i -> "c-" + i).toList());
      long failed = lines.stream().filter(l -> !l.path("error").isNull() && !l.path("error").isMissingNode()).count();
      assertThat(failed).as("about 5%% of the calls fail").isBetween(n / 100L, n / 10L);
      assertThat(result.failed()).isEqualTo(failed);
      assertThat(Files.readAllLines(errors)).hasSize((int) failed);
      Set<String> okDeployments = new HashSet<>();
      lines.stream().filter(l -> l.path("response").path("status_code").asInt() == 200)
          .forEach(l -> okDeployments.add(l.path("switchboard").path("deployment_id").asText()));
      assertThat(okDeployments).containsExactlyInAnyOrder("chat-east", "chat-west");
      assertThat(embedded.mock().callCount()).isGreaterThanOrEqualTo(n);
    }
  }
}
