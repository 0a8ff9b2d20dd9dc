package io.switchboard.app;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import io.switchboard.schemas.config.TopicsConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Options shared by the production commands: the config file, its profile, and Kafka client
 * properties from the environment ({@code SWITCHBOARD_KAFKA_SASL_MECHANISM=PLAIN} becomes
 * {@code sasl.mechanism=PLAIN}) or {@code --bootstrap}.
 */
final class ConfigOptions {
  static final String KAFKA_ENV_PREFIX = "SWITCHBOARD_KAFKA_";

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The YAML config file.")
  Path config;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--profile", paramLabel = "NAME",
      description = "Merge the overlay config.NAME.yaml beside the config file (e.g. prod).")
  String profile;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Overrides kafka.bootstrap.servers.")
  String bootstrap;

  /** The config file, which this command needs. */
  SwitchboardConfig load() {
    if (config == null) {
      throw new ParameterException(spec.commandLine(), "Missing required option: '--config=FILE'");
    }
    SwitchboardConfig loaded = ConfigLoader.fromEnvironment().load(config, profile);
    return loaded.withKafka(kafkaOverrides(System.getenv(), bootstrap));
  }

  /** Topic names and Kafka properties: from the config when given, else the defaults and --bootstrap. */
  record Connection(TopicsConfig topics, Map<String, String> kafka) {}

  Connection connection() {
    if (config != null) {
      SwitchboardConfig loaded = load();
      return new Connection(loaded.topics(), loaded.kafka());
    }
    Map<String, String> kafka = kafkaOverrides(System.getenv(), bootstrap);
    if (!kafka.containsKey("bootstrap.servers")) {
      throw new ParameterException(spec.commandLine(), "Give --config=FILE or --bootstrap=HOST:PORT");
    }
    return new Connection(TopicsConfig.DEFAULT, kafka);
  }

  static Map<String, String> kafkaOverrides(Map<String, String> env, String bootstrap) {
    Map<String, String> props = new LinkedHashMap<>();
    env.forEach((k, v) -> {
      if (k.startsWith(KAFKA_ENV_PREFIX) && k.length() > KAFKA_ENV_PREFIX.length()) {
        props.put(k.substring(KAFKA_ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    if (bootstrap != null) {
      props.put("bootstrap.servers", bootstrap);
    }
    return props;
  }
}
