package io.switchboard.client.batch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.batch.BatchFormat;
import io.switchboard.client.batch.ProgressMode;
import io.switchboard.client.testing.BatchFiles;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InternalsTest {
  @TempDir Path dir;

  @Test
  void longHashSetAgreesWithAHashSetIncludingZeroAndGrowth() {
    LongHashSet set = new LongHashSet(4);
    Set<Long> reference = new HashSet<>();
    Random random = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      long v = i % 3 == 0 ? random.nextInt(1000) : random.nextLong();
      assertThat(set.add(v)).isEqualTo(reference.add(v));
    }
    assertThat(set.add(0L)).isEqualTo(reference.add(0L));
    assertThat(set.add(0L)).isFalse();
    assertThat(set.size()).isEqualTo(reference.size());
    for (long v : reference) {
      assertThat(set.contains(v)).isTrue();
    }
    for (int i = 0; i < 10_000; i++) {
      long v = random.nextLong();
      assertThat(set.contains(v)).isEqualTo(reference.contains(v));
    }
  }

  @Test
  void idsSharingAnAmbiguousHashAreKeptExactlyAndEachIsMarkedOnce() {
    LongHashSet ambiguous = new LongHashSet();
    ambiguous.add(CustomIds.hash("a"));
    long[] hashes = Stream.of("a", "b").mapToLong(CustomIds::hash).sorted().toArray();
    // "a" stands for an id whose hash another input id shares: it is looked up by its text
    CustomIds ids = new CustomIds(hashes, 2, ambiguous, Set.of("a"));
    assertThat(ids.size()).isEqualTo(2);
    assertThat(ids.contains("a")).isTrue();
    assertThat(ids.contains("b")).isTrue();
    assertThat(ids.contains("c")).isFalse();
    assertThat(ids.markAnswered("a")).isTrue();
    assertThat(ids.markAnswered("a")).isFalse();
    assertThat(ids.isAnswered("a")).isTrue();
    assertThat(ids.markAnswered("b")).isTrue();
    assertThat(ids.markAnswered("c")).as("not an input id").isFalse();
    assertThat(ids.markErrorWritten("a")).as("error and answer marks are apart").isTrue();
    assertThat(ids.markErrorWritten("a")).isFalse();
    assertThat(ids.answered()).isEqualTo(2);
  }

  @Test
  void manyIdsAgreeWithAHashSet() {
    String[] some = IntStream.range(0, 50_000).mapToObj(i -> "id-" + i * 7).toArray(String[]::new);
    CustomIds ids = CustomIds.of(some);
    assertThat(ids.size()).isEqualTo(50_000);
    for (int i = 0; i < 350_000; i++) {
      assertThat(ids.contains("id-" + i)).isEqualTo(i % 7 == 0);
    }
  }

  @Test
  void linesAreCountedWithOrWithoutAFinalNewLine() throws Exception {
    Path file = dir.resolve("count.jsonl");
    Files.writeString(file, "");
    assertThat(InputScan.countLines(file)).isZero();
    Files.writeString(file, "a\n\nb\n");
    assertThat(InputScan.countLines(file)).isEqualTo(3);
    Files.writeString(file, "a\nb");
    assertThat(InputScan.countLines(file)).isEqualTo(2);
    Files.writeString(
        file,
        String.join(
            "\r",
            BatchFiles.openAiLine("x", "1"),
            BatchFiles.openAiLine("y", "2"),
            BatchFiles.openAiLine("z", "3")));
    assertThat(InputScan.countLines(file)).isEqualTo(1);
    InputScan.Result scan = InputScan.scan(file, LineFormat.of(BatchFormat.OPENAI, true), 10);
    assertThat(scan.valid())
        .as("lines ended by a lone \\r are more than the newlines counted")
        .isEqualTo(3);
    assertThat(scan.ids().contains("x") && scan.ids().contains("y") && scan.ids().contains("z"))
        .isTrue();
  }

  @Test
  void aPartialLastLineIsCutAndCompleteLinesAreKept() throws Exception {
    Path file = dir.resolve("out.jsonl");
    assertThat(OutputFile.truncatePartialLastLine(file)).isZero();
    Files.writeString(file, "{\"a\":1}\n{\"b\":2}\n");
    assertThat(OutputFile.truncatePartialLastLine(file)).isZero();
    Files.writeString(file, "{\"c\":", java.nio.file.StandardOpenOption.APPEND);
    assertThat(OutputFile.truncatePartialLastLine(file)).isEqualTo(5);
    assertThat(Files.readString(file)).isEqualTo("{\"a\":1}\n{\"b\":2}\n");
    String big = "x".repeat(200_000);
    Files.writeString(file, big);
    assertThat(OutputFile.truncatePartialLastLine(file)).isEqualTo(200_000);
    assertThat(Files.size(file)).isZero();
    Files.writeString(file, "{\"a\":1}\n" + big);
    OutputFile.truncatePartialLastLine(file);
    assertThat(Files.readString(file)).isEqualTo("{\"a\":1}\n");
  }

  @Test
  void duplicatesAreFoundWithBothLineNumbersAndBlankLinesAndBomAreIgnored() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(
        input,
        "\uFEFF"
            + BatchFiles.openAiLine("x", "1")
            + "\n\n"
            + BatchFiles.openAiLine("y", "2")
            + "\n"
            + BatchFiles.openAiLine("x", "3")
            + "\n"
            + BatchFiles.openAiLine("x", "4")
            + "\n",
        StandardCharsets.UTF_8);
    InputScan.Result scan = InputScan.scan(input, LineFormat.of(BatchFormat.OPENAI, false), 10);
    assertThat(scan.valid()).isEqualTo(2);
    assertThat(scan.invalid()).isEqualTo(2);
    assertThat(scan.errors())
        .containsExactly(
            new InputScan.LineError(4, "duplicate custom_id 'x' (first on line 1)"),
            new InputScan.LineError(5, "duplicate custom_id 'x' (first on line 1)"));
    assertThat(scan.ids().contains("x")).isTrue();
    assertThat(scan.ids().contains("y")).isTrue();
    assertThat(scan.ids().contains("z")).isFalse();
    assertThat(scan.ambiguous().isEmpty()).isTrue();
  }

  @Test
  void progressLineShowsDoneTotalRateEtaAndErrors() {
    java.time.Clock clock =
        java.time.Clock.fixed(java.time.Instant.EPOCH, java.time.ZoneOffset.UTC);
    Progress p =
        new Progress(
            new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
            ProgressMode.BAR,
            java.time.Duration.ofSeconds(1),
            clock,
            100,
            40,
            2);
    p.answered(true);
    p.answered(false);
    assertThat(p.line())
        .startsWith("[##########--------------] 42/100")
        .contains("errors 3")
        .contains("ETA");
    assertThat(Progress.duration(3725)).isEqualTo("1:02:05");
  }

  @Test
  void anOutputLineNamesTheProviderBatchJobThatAnsweredItAndOnlyThen() {
    ObjectNode response = Json.mapper().createObjectNode();
    response.putObject("usage").put("prompt_tokens", 3).put("completion_tokens", 2);
    Function<String, RouteReply> reply =
        job ->
            new RouteReply(
                "b:c-1",
                ReplyStatus.OK,
                response,
                null,
                "d",
                "m",
                "gpt",
                "openai",
                List.of(),
                5L,
                3L,
                0.0005,
                null,
                java.time.Instant.EPOCH,
                job,
                null);
    for (BatchFormat f : BatchFormat.values()) {
      LineFormat format = LineFormat.of(f, true);
      assertThat(
              format
                  .output("c-1", reply.apply("batch_abc"))
                  .at("/switchboard/batch_job_id")
                  .asText())
          .as(f.name())
          .isEqualTo("batch_abc");
      assertThat(format.output("c-1", reply.apply(null)).get("switchboard").has("batch_job_id"))
          .as(f.name())
          .isFalse();
    }
  }
}
