package io.switchboard.router;

import static io.switchboard.router.Harness.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.RouteReply;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of {@code bad-input/} goes through one running topology and gets the outcome its row
 * in {@code bad-input/expected.tsv} names; a valid request after each one is still routed.
 * docs/bad-input.md lists the same outcomes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputCorpusTest {
  static final String YAML =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a}
        - {model_name: chat, deployment_id: chat-b}
        - {model_name: solo}
        - {model_name: small, context_window: 50}
      router_settings: {max_request_bytes: 2048}
      reply_topics: [switchboard.replies, "team.*"]
      """;

  final Harness h = new Harness(YAML);
  int valid;

  @AfterAll
  void close() {
    h.close();
  }

  static Stream<Arguments> corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(BadInputCorpusTest.class.getResource("/bad-input").toURI());
    List<Arguments> rows = new ArrayList<>();
    Set<String> listed = new TreeSet<>();
    for (String line : Files.readAllLines(dir.resolve("expected.tsv"))) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length != 7) {
        throw new IllegalStateException("expected.tsv: 7 tab-separated columns needed: " + line);
      }
      listed.add(f[0]);
      rows.add(
          Arguments.of(
              f[0], Files.readAllBytes(dir.resolve(f[0])), f[1], f[2], f[3], f[4], f[5], f[6]));
    }
    Set<String> files = new TreeSet<>();
    try (Stream<Path> all = Files.list(dir)) {
      all.map(p -> p.getFileName().toString())
          .filter(n -> !n.equals("expected.tsv"))
          .forEach(files::add);
    }
    if (!files.equals(listed)) {
      throw new IllegalStateException(
          "expected.tsv and bad-input/ disagree: files " + files + ", listed " + listed);
    }
    if (rows.size() < 30) {
      throw new IllegalStateException("the corpus needs at least 30 files, has " + rows.size());
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void everyBadInputGetsItsDocumentedOutcomeAndRoutingGoesOn(
      String file,
      byte[] value,
      String status,
      String code,
      String field,
      String replyId,
      String deadLetter,
      String says) {
    h.sendBytes(value);
    assertThat(h.dispatch.isEmpty()).as("%s is not dispatched", file).isTrue();
    String expectedField = field.equals("-") ? null : field.equals("\"\"") ? "" : field;
    if (replyId.equals("-")) {
      assertThat(h.replies.isEmpty()).as("%s has no id to reply to", file).isTrue();
    } else {
      RouteReply reply = h.replies.readValue();
      assertThat(reply.id()).isEqualTo(replyId);
      assertThat(reply.status().wire()).isEqualTo(status);
      assertThat(reply.error().code().wire()).isEqualTo(code);
      assertThat(reply.error().field()).isEqualTo(expectedField);
      assertThat(reply.error().message()).isNotBlank();
      if (!says.equals("-")) {
        assertThat(reply.error().message()).contains(says);
      }
      assertThat(h.replies.isEmpty()).as("exactly one reply").isTrue();
    }
    if (deadLetter.equals("yes")) {
      DeadLetter letter = h.deadLetter.readValue();
      assertThat(letter.code().wire()).isEqualTo(code);
      assertThat(letter.sourceTopic()).isEqualTo(h.topics.requests().name());
      assertThat(letter.offset()).isNotNull();
      assertThat(letter.requestId()).isEqualTo(replyId.equals("-") ? null : replyId);
      if (!says.equals("-")) {
        assertThat(letter.message()).contains(says);
      }
      if (value.length > 0) {
        assertThat(letter.original()).isNotEmpty();
      }
    }
    assertThat(h.deadLetter.isEmpty()).as("%s: no (more) dead letters", file).isTrue();

    String id = "valid-" + valid++;
    h.send(request(id, "chat"));
    assertThat(h.dispatch.readValue().id()).isEqualTo(id);
    assertThat(h.replies.isEmpty()).isTrue();
  }
}
