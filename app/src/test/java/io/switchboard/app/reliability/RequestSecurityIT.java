package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.app.reliability.TestSetup.Deployment;
import io.switchboard.app.reliability.Traffic.Replies;
import io.switchboard.router.Router;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.worker.Worker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request cannot choose where the worker calls or with which key, cannot send its reply to a
 * topic off the allowlist, and cannot be larger than the limit: end to end on a real broker, with
 * an "attacker" listener on 127.0.0.1 that must never be contacted.
 */
class RequestSecurityIT {
  static final String KEY = "sk-fake-configured-key";
  static final String PREFIX = "sec";

  static KafkaBroker broker;
  static MockProvider mock;
  static ServerSocket attacker;
  static final AtomicInteger attackerConnections = new AtomicInteger();
  static Router router;
  static Worker worker;
  static SwitchboardConfig config;
  static Topics topics;
  static Map<String, String> kafka;
  static String attackerUrl;

  @TempDir static Path dir;

  @BeforeAll
  @Timeout(120)
  static void start() throws Exception {
    broker = KafkaBrokers.start();
    mock = MockProvider.start();
    mock.behaveAll(Behavior.ok().withRequiredKey(KEY));
    attacker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    attackerUrl = "http://127.0.0.1:" + attacker.getLocalPort();
    Thread accept =
        new Thread(
            () -> {
              while (!attacker.isClosed()) {
                try (Socket s = attacker.accept()) {
                  attackerConnections.incrementAndGet();
                } catch (IOException closed) {
                  return;
                }
              }
            },
            "attacker-listener");
    accept.setDaemon(true);
    accept.start();

    kafka = Map.of("bootstrap.servers", broker.bootstrapServers());
    Path file =
        TestSetup.writeConfig(
            dir,
            PREFIX,
            List.of(
                new Deployment(
                    "chat", PREFIX + "-a", mock.baseUrl(PREFIX + "-a") + "/v1", "FAKE_OPENAI_KEY")),
            kafka,
            "reply_topics:\n  - " + PREFIX + ".replies\n  - " + PREFIX + ".team-*\n");
    String yaml =
        java.nio.file.Files.readString(file)
            .replace("  timeout_ms: 10000\n", "  timeout_ms: 10000\n  max_request_bytes: 4096\n");
    java.nio.file.Files.writeString(file, yaml);
    config = TestSetup.load(file, Map.of());
    topics = new Topics(config.topics());
    try (Admin admin =
        Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(PREFIX + ".team-a", 1, (short) 1),
                  new NewTopic(PREFIX + ".forbidden", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    router = new Router(config, Clock.systemUTC());
    router.start();
    worker =
        new Worker(config, Clock.systemUTC(), name -> "FAKE_OPENAI_KEY".equals(name) ? KEY : null);
    worker.start();
    router.awaitRunning(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws IOException {
    if (worker != null) {
      worker.close();
    }
    if (router != null) {
      router.close();
    }
    if (attacker != null) {
      attacker.close();
    }
    if (mock != null) {
      mock.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private static byte[] json(String s) {
    return s.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static final String MESSAGES = "'messages':[{'role':'user','content':'hi'}]";

  @Test
  @Timeout(120)
  void endpointAndKeyFieldsAtTopLevelAreRejectedAndNeverCalled() {
    Map<String, byte[]> requests = new LinkedHashMap<>();
    for (String field :
        List.of(
            "api_base",
            "base_url",
            "api_key",
            "headers",
            "extra_headers",
            "url",
            "provider",
            "deployment_id")) {
      String value =
          field.contains("header")
              ? "{'Authorization':'Bearer sk-attacker'}"
              : "'" + attackerUrl + "/v1'";
      String id = "top-" + field;
      requests.put(
          id,
          json(
              "{'id':'"
                  + id
                  + "','model':'chat','"
                  + field
                  + "':"
                  + value
                  + ",'body':{"
                  + MESSAGES
                  + "}}"));
    }
    Traffic.sendAll(kafka, topics.requests().name(), requests);
    Replies replies =
        Traffic.collect(
            kafka,
            topics.replies().name(),
            requests.keySet(),
            Duration.ofSeconds(60),
            Duration.ofSeconds(1));

    assertThat(replies.missing(requests.keySet())).isEmpty();
    requests
        .keySet()
        .forEach(
            id -> {
              RouteReply reply = replies.last().get(id);
              String field = id.substring("top-".length());
              assertThat(reply.status()).as(id).isEqualTo(ReplyStatus.ERROR);
              assertThat(reply.error().code()).as(id).isEqualTo(ErrorCode.INVALID_REQUEST);
              assertThat(reply.error().message() + " " + reply.error().field())
                  .as(id)
                  .contains(field);
            });
    assertThat(callsFor("top-")).isEmpty();
    assertThat(attackerConnections.get()).isZero();
  }

  @Test
  @Timeout(120)
  void endpointAndKeyFieldsInsideTheBodyOrMetadataNeverChangeTheUrlOrTheKey() {
    String hostile =
        "'api_base':'"
            + attackerUrl
            + "/v1','base_url':'"
            + attackerUrl
            + "','api_key':'sk-attacker',"
            + "'headers':{'Authorization':'Bearer sk-attacker','Host':'127.0.0.1'},'extra_headers':{'api-key':'sk-attacker'},"
            + "'url':'"
            + attackerUrl
            + "/v1/chat/completions','api_version':'x','deployment_id':'other'";
    Map<String, byte[]> requests = new LinkedHashMap<>();
    requests.put(
        "body-fields",
        json("{'id':'body-fields','model':'chat','body':{" + MESSAGES + "," + hostile + "}}"));
    requests.put(
        "metadata-fields",
        json(
            "{'id':'metadata-fields','model':'chat','metadata':{'api_base':'"
                + attackerUrl
                + "/v1','api_key':'sk-attacker','headers':'Authorization: Bearer sk-attacker'},'body':{"
                + MESSAGES
                + "}}"));
    requests.put(
        "model-url",
        json("{'id':'model-url','model':'" + attackerUrl + "/v1','body':{" + MESSAGES + "}}"));
    requests.put(
        "balancer-url",
        json(
            "{'id':'balancer-url','load_balancer':[{'model':'"
                + attackerUrl
                + "','weight':1}],'body':{"
                + MESSAGES
                + "}}"));
    requests.put(
        "fallback-url",
        json(
            "{'id':'fallback-url','model':'chat','fallbacks':['"
                + attackerUrl
                + "'],'body':{"
                + MESSAGES
                + "}}"));
    Traffic.sendAll(kafka, topics.requests().name(), requests);
    Replies replies =
        Traffic.collect(
            kafka,
            topics.replies().name(),
            requests.keySet(),
            Duration.ofSeconds(60),
            Duration.ofSeconds(1));

    assertThat(replies.missing(requests.keySet())).isEmpty();
    // the mock requires the configured key: OK means that key, and only that one, was sent
    assertThat(replies.last().get("body-fields").status()).isEqualTo(ReplyStatus.OK);
    assertThat(replies.last().get("body-fields").deploymentId()).isEqualTo(PREFIX + "-a");
    assertThat(replies.last().get("metadata-fields").status())
        .as(String.valueOf(replies.last().get("metadata-fields").error()))
        .isEqualTo(ReplyStatus.OK);
    assertThat(replies.last().get("model-url").error().code())
        .isIn(ErrorCode.UNKNOWN_MODEL, ErrorCode.INVALID_REQUEST);
    assertThat(replies.last().get("balancer-url").error().code())
        .isIn(ErrorCode.UNKNOWN_MODEL, ErrorCode.INVALID_REQUEST);
    RouteReply fallback = replies.last().get("fallback-url");
    assertThat(
            fallback.status() == ReplyStatus.OK
                || fallback.error().code() == ErrorCode.UNKNOWN_MODEL
                || fallback.error().code() == ErrorCode.INVALID_REQUEST)
        .as(String.valueOf(fallback))
        .isTrue();

    assertThat(callsFor("body-fields"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.deployment()).isEqualTo(PREFIX + "-a");
              assertThat(c.status()).isEqualTo(200);
            });
    assertThat(mock.calls()).allSatisfy(c -> assertThat(c.deployment()).isEqualTo(PREFIX + "-a"));
    assertThat(callsFor("model-url")).isEmpty();
    assertThat(callsFor("balancer-url")).isEmpty();
    assertThat(attackerConnections.get()).isZero();
  }

  @Test
  @Timeout(120)
  void replyToOffTheAllowlistIsRefusedAndNothingIsWrittenThere() throws Exception {
    Map<String, byte[]> requests = new LinkedHashMap<>();
    requests.put(
        "to-forbidden",
        json(
            "{'id':'to-forbidden','model':'chat','reply_to':'"
                + PREFIX
                + ".forbidden','body':{"
                + MESSAGES
                + "}}"));
    requests.put(
        "to-internal",
        json(
            "{'id':'to-internal','model':'chat','reply_to':'__consumer_offsets','body':{"
                + MESSAGES
                + "}}"));
    requests.put(
        "to-team-a",
        json(
            "{'id':'to-team-a','model':'chat','reply_to':'"
                + PREFIX
                + ".team-a','body':{"
                + MESSAGES
                + "}}"));
    Traffic.sendAll(kafka, topics.requests().name(), requests);

    Replies refused =
        Traffic.collect(
            kafka,
            topics.replies().name(),
            List.of("to-forbidden", "to-internal"),
            Duration.ofSeconds(60),
            Duration.ofSeconds(1));
    Replies allowed =
        Traffic.collect(
            kafka,
            PREFIX + ".team-a",
            List.of("to-team-a"),
            Duration.ofSeconds(60),
            Duration.ofSeconds(1));

    assertThat(refused.last().get("to-forbidden").error().code())
        .isEqualTo(ErrorCode.FORBIDDEN_REPLY_TO);
    assertThat(refused.last().get("to-internal").error().code())
        .isEqualTo(ErrorCode.FORBIDDEN_REPLY_TO);
    assertThat(allowed.last().get("to-team-a").status()).isEqualTo(ReplyStatus.OK);
    assertThat(SecretScan.topics(kafka, List.of("to-")).recordsPerTopic())
        .doesNotContainKey(PREFIX + ".forbidden");
    assertThat(callsFor("to-forbidden")).isEmpty();
    assertThat(callsFor("to-internal")).isEmpty();
  }

  @Test
  @Timeout(120)
  void aRecordOverTheSizeLimitGetsAnErrorReplyAndNoCall() {
    String padding = "x".repeat(8000);
    Map<String, byte[]> requests = new LinkedHashMap<>();
    requests.put(
        "too-large",
        json(
            "{'id':'too-large','model':'chat','body':{'messages':[{'role':'user','content':'"
                + padding
                + "'}]}}"));
    requests.put(
        "just-fits",
        json(
            "{'id':'just-fits','model':'chat','body':{'messages':[{'role':'user','content':'"
                + "y".repeat(3000)
                + "'}]}}"));
    Traffic.sendAll(kafka, topics.requests().name(), requests);
    Replies replies =
        Traffic.collect(
            kafka,
            topics.replies().name(),
            requests.keySet(),
            Duration.ofSeconds(60),
            Duration.ofSeconds(1));

    assertThat(replies.last().get("too-large").error().code())
        .isEqualTo(ErrorCode.REQUEST_TOO_LARGE);
    assertThat(replies.last().get("too-large").error().message()).contains("4096");
    assertThat(replies.last().get("just-fits").status()).isEqualTo(ReplyStatus.OK);
    assertThat(callsFor("too-large")).isEmpty();
  }

  private static List<Call> callsFor(String idPrefix) {
    return mock.calls().stream()
        .filter(c -> c.requestId() != null && c.requestId().startsWith(idPrefix))
        .toList();
  }
}
