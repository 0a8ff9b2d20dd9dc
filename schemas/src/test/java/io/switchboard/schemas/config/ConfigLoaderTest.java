package io.switchboard.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  static final String BASE =
      """
      model_list:
        - {model_name: chat, deployment_id: chat-a, api_base: "https://a.example/v1", rpm: 100, weight: 3}
        - {model_name: chat, deployment_id: chat-b, api_base: "https://b.example/v1", rpm: 100}
        - {model_name: solo, api_base: "https://s.example/v1", tpm: 5000}
        - {model_name: pair, api_base: "https://p1.example/v1"}
        - {model_name: pair, api_base: "https://p2.example/v1"}
      router_settings: {allowed_fails: 3, cooldown_seconds: 60}
      reply_topics: [switchboard.replies]
      """;

  @TempDir Path dir;

  final ConfigLoader loader = new ConfigLoader(Map.of("HOST", "h.example")::get);

  SwitchboardConfig load(String base, String overlay) throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, base);
    if (overlay != null) {
      Files.writeString(dir.resolve("config.prod.yaml"), overlay);
    }
    return loader.load(file, overlay == null ? null : "prod");
  }

  @Test
  void overlayEntryWithADeploymentIdChangesThatDeploymentFieldByField() throws IOException {
    SwitchboardConfig c =
        load(
            BASE,
            """
        model_list:
          - {deployment_id: chat-b, rpm: 500}
        """);
    DeploymentConfig b = c.deployment("chat-b").orElseThrow();
    assertThat(b.rpm()).isEqualTo(500);
    assertThat(b.apiBase()).isEqualTo("https://b.example/v1");
    assertThat(b.modelName()).isEqualTo("chat");
    assertThat(c.deployment("chat-a").orElseThrow().rpm()).isEqualTo(100);
    assertThat(c.modelList()).hasSize(5);
  }

  @Test
  void overlayEntryMatchesByUniqueModelNameAndByImpliedIds() throws IOException {
    SwitchboardConfig c =
        load(
            BASE,
            """
        model_list:
          - {model_name: solo, tpm: 9000}
          - {deployment_id: pair-2, api_base: "https://${HOST}/v1"}
        """);
    assertThat(c.deployment("solo").orElseThrow().tpm()).isEqualTo(9000);
    assertThat(c.deployment("solo").orElseThrow().apiBase()).isEqualTo("https://s.example/v1");
    assertThat(c.deployment("pair-2").orElseThrow().apiBase()).isEqualTo("https://h.example/v1");
    assertThat(c.deployment("pair-1").orElseThrow().apiBase()).isEqualTo("https://p1.example/v1");
    assertThat(c.modelList()).hasSize(5);
  }

  @Test
  void unmatchedOverlayEntriesAreAppendedInOrder() throws IOException {
    SwitchboardConfig c =
        load(
            BASE,
            """
        model_list:
          - {model_name: extra, api_base: "https://x.example/v1"}
          - {model_name: chat, deployment_id: chat-c, api_base: "https://c.example/v1"}
        """);
    assertThat(c.modelList())
        .extracting(DeploymentConfig::deploymentId)
        .containsExactly("chat-a", "chat-b", "solo", "pair-1", "pair-2", "extra", "chat-c");
    assertThat(c.deploymentsOf("chat")).hasSize(3);
  }

  @Test
  void otherMappingsMergeAndListsAreReplaced() throws IOException {
    SwitchboardConfig c =
        load(
            BASE,
            """
        router_settings: {cooldown_seconds: 5}
        reply_topics: ["team.*"]
        """);
    assertThat(c.routerSettings().cooldownSeconds()).isEqualTo(5);
    assertThat(c.routerSettings().allowedFails()).isEqualTo(3);
    assertThat(c.replyTopics()).containsExactly("team.*");
    assertThat(c.modelList()).hasSize(5);
  }

  @Test
  void ambiguousModelNameInTheOverlayIsAnErrorNamingFileEntryAndChoices() throws IOException {
    assertThatThrownBy(
            () ->
                load(
                    BASE,
                    """
        model_list:
          - {model_name: solo, rpm: 1}
          - {model_name: chat, rpm: 1}
        """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("config.prod.yaml: model_list[1]")
        .hasMessageContaining("'chat' matches 2 deployments")
        .hasMessageContaining("chat-a, chat-b")
        .hasMessageContaining("add deployment_id");
  }

  @Test
  void overlayEntryWithoutIdOrNameIsAnError() throws IOException {
    assertThatThrownBy(() -> load(BASE, "model_list:\n  - {rpm: 5}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "config.prod.yaml: model_list[0]: needs a deployment_id or a model_name");
  }

  @Test
  void mergedResultIsValidatedAndErrorsNameBothFilesAndThePath() throws IOException {
    assertThatThrownBy(() -> load(BASE, "model_list:\n  - {deployment_id: chat-a, rpm: many}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("config.yaml + ")
        .hasMessageContaining("config.prod.yaml")
        .hasMessageContaining("/model_list/0/rpm");
  }

  @Test
  void missingProfileFileIsNamed() throws IOException {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, BASE);
    assertThatThrownBy(() -> loader.load(file, "staging"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("config.staging.yaml")
        .hasMessageContaining("profile 'staging'");
  }

  @Test
  void namespacedCopyRenamesEveryTopicAndIdentityAndKeepsTheRest() {
    SwitchboardConfig base =
        loader.parse(
            BASE
                + "topics: {request_partitions: 2}\nworker_settings: {max_in_flight_per_lane: 7}\n",
            "base.yaml");
    SwitchboardConfig run = base.namespaced(".run-1");
    TopicsConfig t = run.topics();
    assertThat(
            List.of(
                t.requests(),
                t.dispatch(),
                t.fallbacks(),
                t.replies(),
                t.metrics(),
                t.health(),
                t.deadLetter(),
                t.summaries(),
                t.offloadJobs()))
        .containsExactly(
            "switchboard.requests.run-1",
            "switchboard.dispatch.run-1",
            "switchboard.fallbacks.run-1",
            "switchboard.replies.run-1",
            "switchboard.metrics.run-1",
            "switchboard.health.run-1",
            "switchboard.dead-letter.run-1",
            "switchboard.metrics.summaries.run-1",
            "switchboard.offload-jobs.run-1");
    assertThat(t.requestPartitions()).isEqualTo(2);
    assertThat(run.routerSettings().applicationId()).isEqualTo("switchboard-router.run-1");
    assertThat(run.routerSettings().cooldownSeconds()).isEqualTo(60);
    assertThat(run.workerSettings().groupId()).isEqualTo("switchboard-worker.run-1");
    assertThat(run.workerSettings().transactionalIdPrefix()).isEqualTo("switchboard-worker.run-1");
    assertThat(run.workerSettings().maxInFlightPerLane()).isEqualTo(7);
    assertThat(run.replyTopicAllowed("switchboard.replies.run-1")).isTrue();
    assertThat(run.replyTopicAllowed("switchboard.replies")).isFalse();
    assertThat(run.modelList()).isEqualTo(base.modelList());
  }

  @Test
  void configErrorsNameTheSourcePathAndProblem() {
    assertThatThrownBy(
            () -> loader.parse("model_list:\n  - {model_name: a, weight: -1}\n", "bad.yaml"))
        .hasMessageStartingWith("bad.yaml: invalid config")
        .hasMessageContaining("/model_list/0/weight: must have a minimum value of 0");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "model_list:\n  - {model_name: a, api_base: \"${NOPE}\"}\n", "env.yaml"))
        .hasMessageContaining("env.yaml: /model_list/0/api_base refers to ${NOPE}");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "model_list:\n  - {model_name: a}\nfallbacks:\n  a: [b]\n", "ref.yaml"))
        .hasMessageContaining("ref.yaml")
        .hasMessageContaining("fallbacks.a[0]: 'b' is not a model_name or deployment_id");
    assertThatThrownBy(
            () -> loader.parse("model_list:\n  - {model_name: a, api_key: sk-123}\n", "key.yaml"))
        .hasMessageContaining("key.yaml")
        .hasMessageContaining("/model_list/0/api_key")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-123"));
    assertThatThrownBy(
            () ->
                loader.parse(
                    "model_list:\n  - {model_name: a, rate_window_seconds: 10}\n", "rw.yaml"))
        .hasMessageContaining("rw.yaml")
        .hasMessageContaining("model_list['a'].rate_window_seconds: 10 needs an rpm");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "model_list:\n  - {model_name: a, rpm: 60, rate_window_seconds: 60}\n",
                    "rw.yaml"))
        .hasMessageContaining("/model_list/0/rate_window_seconds: must have a maximum value of 59");
  }

  @Test
  void aRateWindowIsRead() {
    DeploymentConfig d =
        loader
            .parse(
                "model_list:\n  - {model_name: a, rpm: 600, rate_window_seconds: 10}\n", "rw.yaml")
            .modelList()
            .get(0);
    assertThat(d.rateWindowSeconds()).isEqualTo(10);
  }
}
