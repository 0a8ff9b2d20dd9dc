package io.switchboard.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml is not run on these machines (no Docker engine), so its structure is checked
 * here against deploy/config/switchboard.yaml and the Dockerfile: services, the bootstrap address,
 * the mock provider's address, the key's environment variable, mounts, ports, where Kafka keeps its
 * log, healthchecks, restart policies and the order of start.
 */
class ComposeFileTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static Path root;
  static JsonNode compose;
  static JsonNode services;
  static SwitchboardConfig config;

  @BeforeAll
  static void read() throws Exception {
    root = projectRoot();
    compose = YAML.readTree(root.resolve("docker-compose.yml").toFile());
    services = compose.path("services");
    // api_key stays a reference; the loader needs no key to read the file
    config =
        new ConfigLoader(name -> null).load(root.resolve("deploy/config/switchboard.yaml"), null);
  }

  @Test
  void everyMountedHostPathExists() {
    int mounts = 0;
    for (var service :
        (Iterable<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>>)
            services::fields) {
      for (var volume : service.getValue().path("volumes")) {
        String host = volume.asText().split(":")[0];
        if (host.startsWith("./")) {
          mounts++;
          assertThat(root.resolve(host)).as(service.getKey() + " mounts " + host).exists();
        }
      }
    }
    assertThat(mounts).as("host paths mounted by the compose file").isGreaterThanOrEqualTo(4);
  }

  @Test
  void everyServiceIsThere() {
    assertThat(services.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            "kafka", "router", "worker", "mock-provider", "prometheus", "grafana");
  }

  @Test
  void kafkaIsASingleKraftNodeOfTheClientsVersion() {
    JsonNode kafka = services.path("kafka");
    assertThat(kafka.path("image").asText()).isEqualTo("apache/kafka:4.3.1");
    JsonNode env = kafka.path("environment");
    assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
    assertThat(env.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asText())
        .isEqualTo(env.path("KAFKA_NODE_ID").asText() + "@kafka:9093");
    assertThat(env.path("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").asInt()).isEqualTo(1);
    assertThat(env.path("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asInt()).isEqualTo(1);
    assertThat(env.path("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asInt()).isEqualTo(1);
    assertThat(kafka.path("healthcheck").path("test").toString()).contains("kafka:9092");
  }

  @Test
  void theConfigsBootstrapAddressIsAnAdvertisedListenerOfTheKafkaService() {
    String bootstrap = config.kafka().get("bootstrap.servers");
    assertThat(bootstrap).isEqualTo("kafka:9092");
    JsonNode env = services.path("kafka").path("environment");
    List<String> advertised = List.of(env.path("KAFKA_ADVERTISED_LISTENERS").asText().split(","));
    assertThat(advertised).anySatisfy(l -> assertThat(l).endsWith("://" + bootstrap));
    String listenerName =
        advertised.stream()
            .filter(l -> l.endsWith("://" + bootstrap))
            .findFirst()
            .orElseThrow()
            .split(":")[0];
    assertThat(env.path("KAFKA_LISTENERS").asText())
        .contains(listenerName + "://:" + bootstrap.split(":")[1]);
    assertThat(env.path("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").asText())
        .contains(listenerName + ":");
  }

  @Test
  void routerAndWorkerRunTheImageOnTheMountedConfigAndExposeMetricsOn9404() {
    for (String name : List.of("router", "worker")) {
      JsonNode s = services.path(name);
      assertThat(s.path("build").path("context").asText()).as(name).isEqualTo(".");
      List<String> command = strings(s.path("command"));
      assertThat(command).as(name).containsExactly(name, "--config", "/config/switchboard.yaml");
      assertThat(strings(s.path("volumes"))).as(name).contains("./deploy/config:/config:ro");
      assertThat(strings(s.path("ports")))
          .as(name)
          .anySatisfy(p -> assertThat(p).startsWith("127.0.0.1:").endsWith(":9404"));
      assertThat(s.path("depends_on").path("kafka").path("condition").asText())
          .as(name)
          .isEqualTo("service_healthy");
    }
  }

  @Test
  void onlyTheWorkerAndTheMockHoldTheKeyAndTheMockRequiresIt() {
    List<String> keyEnvs =
        config.modelList().stream().map(DeploymentConfig::apiKeyEnv).distinct().toList();
    assertThat(keyEnvs).containsExactly("FAKE_OPENAI_KEY");
    String key = keyEnvs.get(0);
    assertThat(services.path("worker").path("environment").has(key)).isTrue();
    assertThat(services.path("router").path("environment").has(key))
        .as("the router never needs a provider key")
        .isFalse();
    assertThat(services.path("mock-provider").path("environment").path(key).asText())
        .isEqualTo(services.path("worker").path("environment").path(key).asText());
    List<String> mock = strings(services.path("mock-provider").path("command"));
    assertThat(mock).containsSubsequence("--require-key-env", key);
  }

  @Test
  void everyDeploymentCallsTheMockProviderServiceOnItsPort() {
    List<String> mock = strings(services.path("mock-provider").path("command"));
    assertThat(mock.get(0)).isEqualTo("mock-provider");
    String port = mock.get(mock.indexOf("--port") + 1);
    assertThat(mock.get(mock.indexOf("--host") + 1)).isEqualTo("0.0.0.0");
    assertThat(config.modelList())
        .isNotEmpty()
        .allSatisfy(
            d -> {
              URI uri = URI.create(d.apiBase());
              assertThat(uri.getHost()).isEqualTo("mock-provider");
              assertThat(String.valueOf(uri.getPort())).isEqualTo(port);
              assertThat(uri.getPath()).isEqualTo("/d/" + d.deploymentId() + "/v1");
            });
  }

  @Test
  void prometheusAndGrafanaMountTheDeployFiles() {
    assertThat(strings(services.path("prometheus").path("volumes")))
        .contains("./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
    assertThat(strings(services.path("grafana").path("volumes")))
        .contains(
            "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro",
            "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro");
  }

  @Test
  void everyPublishedPortIsOnLoopbackOnly() {
    List<String> ports = new ArrayList<>();
    services.fields().forEachRemaining(e -> ports.addAll(strings(e.getValue().path("ports"))));
    assertThat(ports).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("127.0.0.1:"));
  }

  @Test
  void theImageRunsTheJarOnJava17() throws Exception {
    List<String> dockerfile = Files.readAllLines(root.resolve("Dockerfile"));
    assertThat(dockerfile)
        .contains(
            "FROM eclipse-temurin:17-jre AS runtime",
            "FROM runtime AS production",
            "COPY app/target/switchboard.jar /app/switchboard.jar",
            "COPY app/target/lib/ /app/lib/");
    assertThat(dockerfile)
        .filteredOn(l -> l.startsWith("FROM "))
        .last()
        .asString()
        .as("the production image is the default (last) stage")
        .isEqualTo("FROM runtime AS production");
    assertThat(dockerfile)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("ENTRYPOINT [\"java\"")
                    .endsWith("\"-jar\", \"/app/switchboard.jar\"]"));
    assertThat(dockerfile).anySatisfy(l -> assertThat(l).startsWith("USER "));
  }

  @Test
  void kafkaWritesItsLogOnADeclaredVolume() {
    JsonNode kafka = services.path("kafka");
    String logDirs = kafka.path("environment").path("KAFKA_LOG_DIRS").asText();
    assertThat(logDirs)
        .as("KAFKA_LOG_DIRS (unset, the image writes to /tmp/kraft-combined-logs in the container)")
        .isNotEmpty();
    Map<String, String> namedVolumeByTarget = new HashMap<>();
    for (String volume : strings(kafka.path("volumes"))) {
      String[] parts = volume.split(":");
      if (!parts[0].startsWith(".") && !parts[0].startsWith("/")) {
        namedVolumeByTarget.put(parts[1], parts[0]);
      }
    }
    for (String dir : logDirs.split(",")) {
      String target =
          namedVolumeByTarget.keySet().stream()
              .filter(t -> dir.equals(t) || dir.startsWith(t + "/"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          "log dir "
                              + dir
                              + " is on none of kafka's named volumes "
                              + namedVolumeByTarget));
      assertThat(compose.path("volumes").has(namedVolumeByTarget.get(target)))
          .as("volume " + namedVolumeByTarget.get(target) + " declared")
          .isTrue();
    }
  }

  @Test
  void routerAndWorkerAreHealthyWhenTheirReadyEndpointAnswers200() {
    int port = config.observability().port();
    for (String name : List.of("router", "worker")) {
      assertThat(probe(name))
          .as(name)
          .contains("/dev/tcp/127.0.0.1/" + port)
          .contains("'GET /ready HTTP/1.0")
          .contains(" 200 ");
    }
  }

  @Test
  void theMockProviderIsHealthyWhenItsHealthEndpointAnswers200() {
    List<String> mock = strings(services.path("mock-provider").path("command"));
    String port = mock.get(mock.indexOf("--port") + 1);
    assertThat(probe("mock-provider"))
        .contains("/dev/tcp/127.0.0.1/" + port)
        .contains("'GET /health HTTP/1.0")
        .contains(" 200 ");
  }

  @Test
  void theProbesShellIsInTheImage() throws Exception {
    // curl and wget are not promised by the JRE image; bash (Ubuntu based temurin, not its Alpine
    // variant) is
    List<String> probedWithBash = new ArrayList<>();
    services
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().path("image").asText().startsWith("switchboard")) {
                assertThat(strings(e.getValue().path("healthcheck").path("test")))
                    .as(e.getKey())
                    .startsWith("CMD", "bash", "-c");
                probedWithBash.add(e.getKey());
              }
            });
    assertThat(probedWithBash).containsExactlyInAnyOrder("router", "worker", "mock-provider");
    assertThat(Files.readAllLines(root.resolve("Dockerfile")))
        .filteredOn(l -> l.startsWith("FROM eclipse-temurin"))
        .singleElement()
        .asString()
        .matches("FROM eclipse-temurin:\\d+-jre AS runtime")
        .doesNotContain("alpine");
    assertThat(Files.readAllLines(root.resolve("Dockerfile")))
        .filteredOn(l -> l.startsWith("FROM "))
        .allSatisfy(l -> assertThat(l).matches("FROM (eclipse-temurin:\\d+-jre|runtime) AS \\w+"));
  }

  @Test
  void everyServiceSomethingWaitsForAndEveryProcessOfOursHasAHealthcheck() {
    Set<String> needed =
        new TreeSet<>(List.of("kafka", "mock-provider", "router", "worker", "prometheus"));
    services
        .fields()
        .forEachRemaining(
            e ->
                e.getValue()
                    .path("depends_on")
                    .fields()
                    .forEachRemaining(
                        d -> {
                          if (d.getValue().path("condition").asText().equals("service_healthy")) {
                            needed.add(d.getKey());
                          }
                        }));
    assertThat(needed)
        .allSatisfy(
            name -> {
              JsonNode check = services.path(name).path("healthcheck");
              assertThat(strings(check.path("test"))).as(name + " healthcheck").isNotEmpty();
              assertThat(check.path("timeout").asText())
                  .as(name + " healthcheck timeout")
                  .isNotEmpty();
              assertThat(check.path("retries").asInt())
                  .as(name + " healthcheck retries")
                  .isPositive();
            });
  }

  @Test
  void everyServiceRestartsAfterACrash() {
    services
        .fields()
        .forEachRemaining(
            e ->
                assertThat(e.getValue().path("restart").asText())
                    .as(e.getKey() + " restart")
                    .isIn("unless-stopped", "on-failure"));
  }

  @Test
  void servicesStartOnceWhatTheyNeedIsHealthy() {
    Map<String, List<String>> needs =
        Map.of(
            "router",
            List.of("kafka"),
            "worker",
            List.of("kafka", "mock-provider"),
            "grafana",
            List.of("prometheus"));
    needs.forEach(
        (name, dependencies) ->
            assertThat(dependencies)
                .allSatisfy(
                    d ->
                        assertThat(
                                services
                                    .path(name)
                                    .path("depends_on")
                                    .path(d)
                                    .path("condition")
                                    .asText())
                            .as(name + " on " + d)
                            .isEqualTo("service_healthy")));
    services
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode dependsOn = e.getValue().path("depends_on");
              assertThat(dependsOn.isArray())
                  .as(e.getKey() + ": depends_on as a list waits for nothing but the start")
                  .isFalse();
              dependsOn
                  .fields()
                  .forEachRemaining(
                      d ->
                          assertThat(d.getValue().path("condition").asText())
                              .as(e.getKey() + " on " + d.getKey())
                              .isIn("service_healthy", "service_started"));
            });
  }

  /** The healthcheck command of a service, its words joined by spaces. */
  private static String probe(String service) {
    return String.join(" ", strings(services.path(service).path("healthcheck").path("test")));
  }

  /**
   * The checkout's top directory: the first one above the working directory with
   * docker-compose.yml.
   */
  static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (!Files.exists(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
      assertThat(dir).as("docker-compose.yml above the working directory").isNotNull();
    }
    return dir;
  }

  private static List<String> strings(JsonNode node) {
    return StreamSupport.stream(node.spliterator(), false).map(JsonNode::asText).toList();
  }
}
