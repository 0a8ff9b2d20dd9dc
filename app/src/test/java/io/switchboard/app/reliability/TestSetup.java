package io.switchboard.app.reliability;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.testkit.process.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Configs and child processes for the reliability tests. Every test gets its own topic names,
 * router application id and worker group ({@code prefix}), so tests can share a broker.
 */
final class TestSetup {
  /**
   * Client settings that let a group notice a killed member, and a killed producer's transaction
   * end, within seconds.
   */
  static final Map<String, String> FAST_FAILOVER =
      Map.of(
          "session.timeout.ms", "4000",
          "heartbeat.interval.ms", "500",
          "transaction.timeout.ms", "6000");

  /** Broker settings matching {@link #FAST_FAILOVER}. */
  static final Map<String, String> FAST_FAILOVER_BROKER =
      Map.of(
          "group.min.session.timeout.ms", "1000",
          "transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");

  private static final String MAIN = "io.switchboard.app.Main";

  private TestSetup() {}

  /** One deployment of the test config. */
  record Deployment(String modelName, String id, String apiBase, String apiKeyEnv) {}

  /**
   * Writes a config: the deployments (3 lanes each), topics named {@code prefix.*}, and the given
   * Kafka client properties (bootstrap included).
   */
  static Path writeConfig(
      Path dir,
      String prefix,
      List<Deployment> deployments,
      Map<String, String> kafka,
      String extra)
      throws IOException {
    return writeConfig(dir, prefix, deployments, kafka, extra, 1);
  }

  /**
   * As {@link #writeConfig(Path, String, List, Map, String)}, the topics created with {@code
   * replicationFactor} replicas.
   */
  static Path writeConfig(
      Path dir,
      String prefix,
      List<Deployment> deployments,
      Map<String, String> kafka,
      String extra,
      int replicationFactor)
      throws IOException {
    StringBuilder y = new StringBuilder("model_list:\n");
    for (Deployment d : deployments) {
      y.append("  - model_name: ")
          .append(d.modelName())
          .append('\n')
          .append("    deployment_id: ")
          .append(d.id())
          .append('\n')
          .append("    provider: openai_compatible\n")
          .append("    model: mock-")
          .append(d.id())
          .append('\n')
          .append("    api_base: ")
          .append(d.apiBase())
          .append('\n')
          .append("    lanes: 3\n");
      if (d.apiKeyEnv() != null) {
        y.append("    api_key: ${").append(d.apiKeyEnv()).append("}\n");
      }
    }
    y.append("topics:\n");
    for (String role :
        List.of("requests", "dispatch", "fallbacks", "replies", "metrics", "health")) {
      y.append("  ").append(role).append(": ").append(prefix).append('.').append(role).append('\n');
    }
    y.append("  dead_letter: ").append(prefix).append(".dead-letter\n");
    y.append("  request_partitions: 6\n");
    if (replicationFactor != 1) {
      y.append("  replication_factor: ").append(replicationFactor).append('\n');
    }
    // A short cooldown: a request that arrives while its only deployment cools down waits for the
    // cooldown to end before it is tried (and answered), as in production, only sooner.
    y.append("router_settings:\n  application_id: ")
        .append(prefix)
        .append("-router\n  timeout_ms: 10000\n")
        .append("  cooldown_seconds: 2\n");
    y.append("worker_settings:\n  group_id: ")
        .append(prefix)
        .append("-worker\n  transactional_id_prefix: ")
        .append(prefix)
        .append("-worker\n  shutdown_grace_ms: 15000\n");
    // Several processes share this machine: each takes a free port for its Prometheus endpoint.
    y.append("observability:\n  port: 0\n");
    y.append("kafka:\n");
    Map<String, String> props = new LinkedHashMap<>(kafka);
    props.forEach(
        (k, v) ->
            y.append("  ").append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
    if (extra != null) {
      y.append(extra);
    }
    Path file = dir.resolve(prefix + ".yaml");
    Files.writeString(file, y.toString());
    return file;
  }

  /** The config as the processes read it ({@code ${VAR}} from {@code env}). */
  static SwitchboardConfig load(Path config, Map<String, String> env) {
    return new ConfigLoader(name -> env.containsKey(name) ? env.get(name) : System.getenv(name))
        .load(config, null);
  }

  /** {@code switchboard router --config FILE} in a child JVM. */
  static ChildJvm router(
      String name, Path config, Path logDir, Map<String, String> env, String... jvmArgs) {
    return child(name, List.of("router", "--no-aggregator"), config, logDir, env, jvmArgs);
  }

  /** {@code switchboard worker --config FILE} in a child JVM. */
  static ChildJvm worker(
      String name, Path config, Path logDir, Map<String, String> env, String... jvmArgs) {
    return child(name, List.of("worker"), config, logDir, env, jvmArgs);
  }

  /** {@code switchboard batch --config FILE ARGS...} in a child JVM. */
  static ChildJvm batch(
      String name, Path config, Path logDir, Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of("batch"));
    command.addAll(List.of(args));
    return child(name, command, config, logDir, env);
  }

  private static ChildJvm child(
      String name,
      List<String> command,
      Path config,
      Path logDir,
      Map<String, String> env,
      String... jvmArgs) {
    Path tmp = logDir.resolve("tmp-" + name);
    try {
      Files.createDirectories(tmp);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ChildJvm.Builder b =
        ChildJvm.builder(MAIN)
            .name(name)
            // temporary files (the router's state directory) go where the test cleans up
            .jvmArgs(
                "-Xms64m",
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + tmp)
            .jvmArgs(jvmArgs)
            .args(command.toArray(String[]::new))
            .args("--config", config.toString())
            .log(logDir.resolve(name + ".log"));
    env.forEach(b::env);
    return b.start();
  }

  /** Closes every child, killing those still alive; never throws. */
  static void closeAll(List<ChildJvm> children) {
    for (ChildJvm c : children) {
      try {
        c.close();
      } catch (RuntimeException e) {
        System.err.println("could not close " + c + ": " + e);
      }
    }
  }

  /** A short summary of the children's logs, printed when a test fails. */
  static String tails(List<ChildJvm> children) {
    return children.stream().map(ChildJvm::tail).collect(Collectors.joining("\n"));
  }
}
