package io.switchboard.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.router.internal.MutatedRequests.Input;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.JsonInput;
import io.switchboard.schemas.json.JsonLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * 100,000 generated records ({@link MutatedRequests}, ten fixed seeds) go through the request
 * reader: none throws, each is routed, answered or dead-lettered with a reason, an id is found
 * exactly where the mutation left it readable, and what the router then writes can be written.
 * Every eighth also goes through a reader with a 2 KiB record limit and tight JSON limits.
 */
class RequestReaderGeneratedInputTest {
  static final String YAML =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a}
        - {model_name: solo}
      reply_topics: [switchboard.replies, "team.*"]
      """;
  static final SwitchboardConfig CONFIG = new ConfigLoader(k -> null).parse(YAML, "test");

  /** A small record limit and tight JSON limits: the same inputs meet other refusals first. */
  static final SwitchboardConfig SMALL =
      new ConfigLoader(k -> null)
          .parse(YAML + "router_settings: {max_request_bytes: 2048}\n", "test");

  static final JsonInput TIGHT = new JsonInput(new JsonLimits(16, 20, 32, 1000));
  static final int PER_SEED = 10_000;
  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

  /**
   * An "id" member anywhere in a record's text, blind to nesting: a second, simpler view of where
   * ids are.
   */
  static final Pattern ID_MEMBER = Pattern.compile("\"id\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\")");

  final RequestReader reader = new RequestReader(CONFIG);
  final RequestReader tight = new RequestReader(SMALL, TIGHT);

  /** How a record ended. */
  enum Outcome {
    ROUTED,
    ANSWERED,
    DEAD_LETTER_ONLY
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89})
  void everyGeneratedRecordIsRoutedAnsweredOrDeadLetteredWithAReason(long seed) {
    MutatedRequests generator = new MutatedRequests(seed);
    Map<String, Map<Outcome, Integer>> tally = new TreeMap<>();
    for (int i = 0; i < PER_SEED; i++) {
      Input input = generator.next();
      Supplier<String> where = describe(seed, i, input);
      Outcome outcome = checked(reader, input, i % 8 == 0, where);
      tally
          .computeIfAbsent(input.mutation().split("[ +]")[0], k -> new TreeMap<>())
          .merge(outcome, 1, Integer::sum);
      if (i % 8 == 0) {
        checked(tight, new Input(input.value(), input.mutation(), false, null, null), false, where);
      }
    }
    // The generator must keep producing every kind of input and every outcome, or the test proves
    // little.
    assertThat(tally.keySet()).as("mutations of seed %d", seed).hasSizeGreaterThanOrEqualTo(20);
    Map<Outcome, Integer> all = new TreeMap<>();
    tally.values().forEach(m -> m.forEach((k, v) -> all.merge(k, v, Integer::sum)));
    assertThat(all.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(PER_SEED);
    for (Outcome o : Outcome.values()) {
      assertThat(all.getOrDefault(o, 0))
          .as("%s records of seed %d: %s", o, seed, tally)
          .isGreaterThan(PER_SEED / 50);
    }
  }

  @Test
  void theGeneratorsRequestsAreValidBeforeTheyAreMutated() {
    MutatedRequests generator = new MutatedRequests(7);
    for (int i = 0; i < 2_000; i++) {
      Input input = generator.valid();
      assertThat(checked(reader, input, true, describe(7, i, input))).isEqualTo(Outcome.ROUTED);
    }
  }

  @Test
  void everyFieldOfARequestTakesEveryWrongTypeAndIsStillAnswered() {
    String rich =
        """
        {"id":"rich-1","model":"chat","load_balancer":[{"model":"chat","weight":2},{"model":"solo"}],
         "load_balance_group":"g","fallbacks":["solo"],"context_window_fallbacks":["solo"],"num_retries":1,
         "timeout_ms":500,"deadline":"2026-11-22T10:05:00Z","reply_to":"team.a","metadata":{"k":"v"},
         "body":{"model":"chat","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]},
           {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
             "function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"1"}],
          "max_tokens":5,"max_completion_tokens":5,"temperature":0.5,"stream":false,
          "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}}
        """;
    ObjectNode tree = (ObjectNode) Json.parse(rich);
    List<String> pointers = new ArrayList<>();
    fields(tree, "", pointers);
    JsonNode[] wrong =
        Arrays.stream(
                new String[] {
                  "null",
                  "true",
                  "0",
                  "-1",
                  "1.5",
                  "123456789012345678901234567890",
                  "\"\"",
                  "\" \"",
                  "\"x\"",
                  "[]",
                  "[1,\"a\"]",
                  "{}",
                  "{\"k\":{\"k\":[]}}"
                })
            .map(Json::parse)
            .toArray(JsonNode[]::new);
    int cases = 0;
    for (String pointer : pointers) {
      int slash = pointer.lastIndexOf('/');
      String parent = pointer.substring(0, slash);
      String name = pointer.substring(slash + 1);
      for (int w = 0; w <= wrong.length; w++) {
        ObjectNode copy = tree.deepCopy();
        ObjectNode holder = (ObjectNode) copy.at(parent);
        String id = "rich-1";
        if (w == wrong.length) {
          holder.remove(name);
          id = pointer.equals("/id") ? null : id;
        } else {
          holder.set(name, wrong[w]);
          if (pointer.equals("/id")) {
            id = RequestIds.problem(wrong[w]) == null ? wrong[w].asText() : null;
          }
        }
        Input input =
            new Input(
                Json.toBytes(copy),
                pointer + "=" + (w < wrong.length ? wrong[w] : "(removed)"),
                true,
                id,
                null);
        checked(reader, input, true, describe(0, cases++, input));
      }
    }
    assertThat(cases).isGreaterThan(40 * wrong.length);
  }

  /**
   * Reads {@code input}, checks every rule a reading must keep, and says how it ended; when {@code
   * writes}, also that what the router then writes can be written (and, for a dispatch, read back).
   */
  private static Outcome checked(
      RequestReader reader, Input input, boolean writes, Supplier<String> where) {
    RequestReader.Read read;
    try {
      read = reader.read(input.value());
    } catch (Throwable e) {
      throw new AssertionError(where.get() + ": the reader threw " + e, e);
    }
    check(
        read != null && (read.request() == null) != (read.rejection() == null),
        where,
        "exactly one of request and rejection");
    Outcome outcome;
    String found;
    if (read.request() != null) {
      found = read.request().id();
      outcome = Outcome.ROUTED;
      if (writes) {
        // A routed request is written onto the dispatch topic and read back by workers.
        RouteRequest back = Json.read(Json.toBytes(read.request()), RouteRequest.class);
        check(
            back.equals(read.request()),
            where,
            "the routed request survives being written and read");
      }
    } else {
      Rejection rejection = read.rejection();
      found = rejection.requestId();
      check(!rejection.error().message().isBlank(), where, "a rejection names its reason");
      check(
          found != null || rejection.deadLetter(),
          where,
          "a record without an id is dead-lettered");
      if (writes && found != null) {
        Json.toBytes(RouteReply.rejected(found, rejection.error(), null, NOW));
      }
      if (writes && rejection.deadLetter()) {
        Json.toBytes(
            DeadLetter.of(
                rejection.error().code(),
                rejection.error().message(),
                "requests",
                0,
                0L,
                found,
                input.value(),
                List.of(),
                NOW));
      }
      outcome = found == null ? Outcome.DEAD_LETTER_ONLY : Outcome.ANSWERED;
    }
    if (input.idKnown()) {
      check(
          Objects.equals(found, input.id()),
          where,
          "id " + quote(input.id()) + " found, not " + quote(found));
    } else if (found != null) {
      check(
          idMembers(JsonInput.readablePrefix(input.value())).contains(found),
          where,
          "the id found, " + quote(found) + ", is the value of an \"id\" member in the record");
    }
    if (MutatedRequests.ROUTED.equals(input.says())) {
      check(
          outcome == Outcome.ROUTED,
          where,
          "routed, not " + (read.rejection() == null ? "" : read.rejection()));
    } else if (input.says() != null) {
      String message = read.rejection() == null ? "(routed)" : read.rejection().error().message();
      check(
          Arrays.stream(input.says().split("\\|")).anyMatch(message::contains),
          where,
          "the message says '" + input.says() + "': " + message);
    }
    return outcome;
  }

  private static void check(boolean ok, Supplier<String> where, String rule) {
    if (!ok) {
      fail(where.get() + ": " + rule);
    }
  }

  private static Supplier<String> describe(long seed, int index, Input input) {
    return () -> {
      byte[] head = Arrays.copyOf(input.value(), Math.min(input.value().length, 600));
      return "seed "
          + seed
          + " #"
          + index
          + " ("
          + input.mutation()
          + ", "
          + input.value().length
          + " bytes) "
          + new String(head, StandardCharsets.UTF_8).replace('\0', '\u2400')
          + " base64 "
          + Base64.getEncoder().encodeToString(head);
    };
  }

  /** The values of every "id" member with a string value that is JSON by itself. */
  private static Set<String> idMembers(String text) {
    Set<String> ids = new HashSet<>();
    Matcher m = ID_MEMBER.matcher(text);
    while (m.find()) {
      try {
        ids.add(Json.mapper().readTree(m.group(1)).asText());
      } catch (IOException notAString) {
        // Not the literal the reader found.
      }
    }
    return ids;
  }

  private static String quote(String id) {
    return id == null ? "(none)" : "'" + id + "'";
  }

  private static void fields(JsonNode node, String pointer, List<String> out) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              f -> {
                out.add(pointer + "/" + f.getKey());
                fields(f.getValue(), pointer + "/" + f.getKey(), out);
              });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        fields(node.get(i), pointer + "/" + i, out);
      }
    }
  }
}
