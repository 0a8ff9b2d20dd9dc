package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.app.reliability.TestSetup.Deployment;
import io.switchboard.app.reliability.Traffic.Replies;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.MockProvider;
import io.switchboard.testkit.process.ChildJvm;
import io.switchboard.testkit.process.KafkaServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Router and worker processes against a broker that only speaks SASL_PLAINTEXT (PLAIN), with the
 * Kafka password and a fake provider key given to the processes by environment variables only. One
 * deployment is the mock provider requiring the key; the other is a provider that echoes the key
 * back in its error bodies. After the run (processes stopped gracefully), every record of every
 * topic and every line the processes wrote is searched for both secrets.
 */
class SecretsOverSaslIT {
  static final String PROVIDER_KEY = "sk-fake-" + UUID.randomUUID().toString().replace("-", "");
  static final String KAFKA_PASSWORD = "kafka-pw-" + UUID.randomUUID().toString().replace("-", "");
  static final String ADMIN_PASSWORD = "admin-pw-" + UUID.randomUUID().toString().replace("-", "");
  static final String PREFIX = "secrets";

  static KafkaServerProcess broker;
  static MockProvider mock;
  static KeyEchoingProvider echo;
  static final List<ChildJvm> children = new ArrayList<>();
  static Map<String, String> kafka;
  static SwitchboardConfig loaded;
  static Replies replies;
  static List<String> okIds = new ArrayList<>();
  static List<String> echoIds = new ArrayList<>();
  static Path dir;

  static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  @BeforeAll
  @Timeout(300)
  static void runTrafficOverSasl() throws Exception {
    dir = Files.createTempDirectory("switchboard-secrets-");
    broker =
        KafkaServerProcess.builder()
            .securityProtocol("SASL_PLAINTEXT")
            .property("sasl.enabled.mechanisms", "PLAIN")
            .property("sasl.mechanism.inter.broker.protocol", "PLAIN")
            .property(
                "listener.name.broker.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\""
                    + ADMIN_PASSWORD
                    + "\" user_admin=\""
                    + ADMIN_PASSWORD
                    + "\" user_switchboard=\""
                    + KAFKA_PASSWORD
                    + "\";")
            .clientProperty("security.protocol", "SASL_PLAINTEXT")
            .clientProperty("sasl.mechanism", "PLAIN")
            .clientProperty("sasl.jaas.config", jaas("switchboard", KAFKA_PASSWORD))
            .logLevel("INFO")
            .start();
    kafka = new HashMap<>(broker.clientProperties());
    mock = MockProvider.start();
    mock.behave(PREFIX + "-ok", Behavior.ok().withLatencyMs(5).withRequiredKey(PROVIDER_KEY));
    echo = new KeyEchoingProvider();

    Map<String, String> configKafka = new LinkedHashMap<>();
    configKafka.put("bootstrap.servers", broker.bootstrapServers());
    configKafka.put("security.protocol", "SASL_PLAINTEXT");
    configKafka.put("sasl.mechanism", "PLAIN");
    configKafka.put("sasl.jaas.config", jaas("switchboard", "${KAFKA_PASSWORD}"));
    Path config =
        TestSetup.writeConfig(
            dir,
            PREFIX,
            List.of(
                new Deployment(
                    "chat-ok",
                    PREFIX + "-ok",
                    mock.baseUrl(PREFIX + "-ok") + "/v1",
                    "FAKE_OPENAI_KEY"),
                new Deployment("chat-echo", PREFIX + "-echo", echo.apiBase(), "FAKE_OPENAI_KEY")),
            configKafka,
            null);
    assertThat(Files.readString(config))
        .doesNotContain(KAFKA_PASSWORD)
        .doesNotContain(PROVIDER_KEY);
    loaded = TestSetup.load(config, Map.of("KAFKA_PASSWORD", KAFKA_PASSWORD));

    // Everything a process logs, at the most detailed level of Switchboard's own loggers.
    Path log4j = dir.resolve("log4j2-verbose.xml");
    Files.writeString(
        log4j,
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Configuration status="WARN">
          <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level [%t] %c - %msg%n%throwable"/></Console></Appenders>
          <Loggers>
            <Logger name="io.switchboard" level="TRACE"/>
            <Logger name="org.apache.hc" level="INFO"/>
            <Root level="INFO"><AppenderRef ref="out"/></Root>
          </Loggers>
        </Configuration>
        """);
    String logConfig = "-Dlog4j2.configurationFile=" + log4j.toUri();
    children.add(
        TestSetup.router(
            "router", config, dir, Map.of("KAFKA_PASSWORD", KAFKA_PASSWORD), logConfig));
    children.add(
        TestSetup.worker(
            "worker",
            config,
            dir,
            Map.of("KAFKA_PASSWORD", KAFKA_PASSWORD, "FAKE_OPENAI_KEY", PROVIDER_KEY),
            logConfig));
    Traffic.awaitGroup(
        kafka,
        loaded.workerSettings().groupId(),
        1,
        Duration.ofSeconds(120),
        () -> TestSetup.tails(children));

    Map<String, byte[]> requests = new LinkedHashMap<>();
    for (int i = 0; i < 30; i++) {
      okIds.add(PREFIX + "-ok-" + i);
      requests.put(PREFIX + "-ok-" + i, Traffic.request(PREFIX + "-ok-" + i, "chat-ok"));
    }
    for (int i = 0; i < 10; i++) {
      echoIds.add(PREFIX + "-echo-" + i);
      requests.put(PREFIX + "-echo-" + i, Traffic.request(PREFIX + "-echo-" + i, "chat-echo"));
    }
    Traffic.sendAll(kafka, loaded.topics().requests(), requests);
    List<String> all = new ArrayList<>(okIds);
    all.addAll(echoIds);
    replies =
        Traffic.collect(
            kafka, loaded.topics().replies(), all, Duration.ofSeconds(120), Duration.ofSeconds(2));
    for (ChildJvm c : children) {
      c.stop(Duration.ofSeconds(45));
    }
  }

  @AfterAll
  static void stopAll() throws Exception {
    TestSetup.closeAll(children);
    if (echo != null) {
      echo.close();
    }
    if (mock != null) {
      mock.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @Timeout(60)
  void routerAndWorkerServeEveryRequestOverSaslPlain() {
    assertThat(replies.missing(okIds)).as(TestSetup.tails(children)).isEmpty();
    assertThat(replies.missing(echoIds)).as(TestSetup.tails(children)).isEmpty();
    assertThat(replies.duplicated()).isEmpty();
    // the mock answers 401 without the right key: OK proves the worker sent the key from its
    // environment
    assertThat(okIds)
        .allSatisfy(id -> assertThat(replies.last().get(id).status()).isEqualTo(ReplyStatus.OK));
    assertThat(mock.calls(PREFIX + "-ok"))
        .allSatisfy(c -> assertThat(c.credentialPresent()).isTrue());
  }

  @Test
  @Timeout(60)
  void theBrokerRejectsAClientWithTheWrongPassword() {
    Map<String, Object> wrong = new HashMap<>(kafka);
    wrong.put("sasl.jaas.config", jaas("switchboard", "not-the-password"));
    try (Admin admin = Admin.create(wrong)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  @Timeout(60)
  void providerErrorBodiesThatEchoTheKeyAreAnsweredAsErrorsWithoutIt() {
    // The first 401 cools the deployment down, so later requests may be answered without a call;
    // at least one call must have echoed the key, or nothing here would be tested.
    assertThat(echo.calls()).isPositive();
    for (String id : echoIds) {
      RouteReply reply = replies.last().get(id);
      assertThat(reply.status()).isEqualTo(ReplyStatus.ERROR);
      assertThat(reply.error().code())
          .isIn(ErrorCode.PROVIDER_ERROR, ErrorCode.FALLBACKS_EXHAUSTED);
      assertThat(io.switchboard.schemas.json.Json.mapper().valueToTree(reply).toString())
          .doesNotContain(PROVIDER_KEY);
    }
  }

  @Test
  @Timeout(120)
  void noTopicHoldsTheProviderKeyOrTheKafkaPassword() throws Exception {
    SecretScan.Result scan =
        SecretScan.topics(kafka, List.of(PROVIDER_KEY, KAFKA_PASSWORD, ADMIN_PASSWORD));
    System.out.println("[reliability] secrets scan: records per topic " + scan.recordsPerTopic());
    assertThat(scan.recordsPerTopic())
        .containsKeys(
            loaded.topics().requests(),
            loaded.topics().dispatch(),
            loaded.topics().replies(),
            loaded.topics().metrics(),
            "__consumer_offsets",
            "__transaction_state");
    assertThat(scan.findings()).as("records holding a secret").isEmpty();
    assertThat(SecretScan.topics(kafka, List.of("\"" + okIds.get(0) + "\"")).findings())
        .as("the scan finds what is there (a request id)")
        .isNotEmpty();
  }

  @Test
  @Timeout(60)
  void noLogLineOfRouterWorkerOrBrokerHoldsTheProviderKeyOrTheKafkaPassword() {
    List<String> findings = new ArrayList<>();
    int lines = 0;
    for (ChildJvm c : children) {
      List<String> log = c.logLines();
      lines += log.size();
      findings.addAll(
          SecretScan.lines(c.name(), log, List.of(PROVIDER_KEY, KAFKA_PASSWORD, ADMIN_PASSWORD)));
    }
    List<String> brokerLog = broker.process().logLines();
    findings.addAll(SecretScan.lines("broker", brokerLog, List.of(PROVIDER_KEY, KAFKA_PASSWORD)));
    System.out.println(
        "[reliability] secrets scan: "
            + lines
            + " router/worker log lines, "
            + brokerLog.size()
            + " broker log lines");
    assertThat(lines).as("the processes logged (Kafka client configs at least)").isGreaterThan(50);
    assertThat(findings).as("log lines holding a secret").isEmpty();
    assertThat(SecretScan.lines("worker", children.get(1).logLines(), List.of("sasl.jaas.config")))
        .as("the scan finds what is there (the hidden jaas config's name)")
        .isNotEmpty();
  }
}
