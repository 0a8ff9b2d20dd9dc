package io.switchboard.app;

import io.switchboard.client.ConnectionSettings;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of every command that talks to Kafka, resolved in one way for all of them. Kafka
 * client properties come from, later ones winning: the config's {@code kafka:} section (with the
 * {@code --profile} overlay), the environment ({@code SWITCHBOARD_KAFKA_SASL_MECHANISM=PLAIN}
 * becomes {@code sasl.mechanism=PLAIN}), then {@code --bootstrap}. With no bootstrap address from
 * any of them the command stops with a usage error rather than guess one. Before a command depends
 * on the cluster it asks whether it answers, for at most {@code --connect-timeout}.
 */
final class ConfigOptions {
  static final String KAFKA_ENV_PREFIX = "SWITCHBOARD_KAFKA_";

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The YAML config file.")
  Path config;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = "Merge the overlay config.NAME.yaml beside the config file (e.g. prod).")
  String profile;

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Overrides kafka.bootstrap.servers.")
  String bootstrap;

  @Option(
      names = "--connect-timeout",
      paramLabel = "SECONDS",
      defaultValue = "15",
      description =
          "How long to wait for the Kafka cluster to answer before giving up with exit 4 (default "
              + "${DEFAULT-VALUE}).")
  long connectTimeoutSeconds;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** The process environment; tests put their own. */
  Map<String, String> environment = System.getenv();

  /**
   * The config file, which this command needs, with the Kafka properties of the environment and
   * --bootstrap.
   */
  SwitchboardConfig load() {
    if (config == null) {
      throw usage("Missing required option: '--config=FILE'");
    }
    SwitchboardConfig loaded = loadConfig();
    return loaded.withKafka(requireBootstrap(merged(loaded.kafka())));
  }

  /**
   * Where to connect: the config's {@code kafka}, {@code topics} and {@code reply_topics} when a
   * config is given, else the default topics; Kafka properties resolved as {@link #load()} does.
   */
  ConnectionSettings connection() {
    if (config == null) {
      return ConnectionSettings.of(requireBootstrap(merged(Map.of())));
    }
    return ConnectionSettings.of(load());
  }

  /**
   * Waits until the cluster of {@code kafka} answers, saying so, or throws {@link
   * ClusterUnreachableException} after {@code --connect-timeout}.
   */
  void awaitCluster(Map<String, String> kafka) throws InterruptedException {
    ClusterProbe.await(kafka, connectTimeout());
  }

  /**
   * Runs {@code body}, which checks its own input before it talks to Kafka, while the cluster of
   * {@code kafka} is asked: see {@link ClusterProbe#whileConnecting}.
   */
  <T> T whileConnecting(Map<String, String> kafka, Callable<T> body) throws Exception {
    return ClusterProbe.whileConnecting(kafka, connectTimeout(), body);
  }

  private Duration connectTimeout() {
    if (connectTimeoutSeconds < 1) {
      throw usage("--connect-timeout must be at least 1 second, was " + connectTimeoutSeconds);
    }
    return Duration.ofSeconds(connectTimeoutSeconds);
  }

  private SwitchboardConfig loadConfig() {
    return new ConfigLoader(environment::get).load(config, profile);
  }

  private Map<String, String> merged(Map<String, String> fromConfig) {
    if (profile != null && config == null) {
      throw usage("--profile needs --config=FILE: it names an overlay beside the config file");
    }
    Map<String, String> props = new LinkedHashMap<>(fromConfig);
    props.putAll(kafkaOverrides(environment, bootstrap));
    return props;
  }

  private Map<String, String> requireBootstrap(Map<String, String> kafka) {
    String servers = kafka.get("bootstrap.servers");
    if (servers == null || servers.isBlank()) {
      throw usage(
          "no Kafka cluster given: pass --bootstrap=HOST:PORT, a --config=FILE with kafka.bootstrap.servers,"
              + " or set "
              + KAFKA_ENV_PREFIX
              + "BOOTSTRAP_SERVERS");
    }
    return kafka;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /**
   * The Kafka properties of the environment ({@value #KAFKA_ENV_PREFIX}*) with {@code bootstrap}
   * over them.
   */
  static Map<String, String> kafkaOverrides(Map<String, String> env, String bootstrap) {
    Map<String, String> props = new LinkedHashMap<>();
    env.forEach(
        (k, v) -> {
          if (k.startsWith(KAFKA_ENV_PREFIX) && k.length() > KAFKA_ENV_PREFIX.length()) {
            props.put(
                k.substring(KAFKA_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'),
                v);
          }
        });
    if (bootstrap != null && !bootstrap.isBlank()) {
      props.put("bootstrap.servers", bootstrap);
    }
    return props;
  }
}
