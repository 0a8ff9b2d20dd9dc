package io.switchboard.app;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Options shared by the production commands: the config file, its profile, and Kafka client
 * properties from the environment ({@code SWITCHBOARD_KAFKA_SASL_MECHANISM=PLAIN} becomes
 * {@code sasl.mechanism=PLAIN}) or {@code --bootstrap}.
 */
final class ConfigOptions {
  static final String KAFKA_ENV_PREFIX = "SWITCHBOARD_KAFKA_";

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The YAML config file.")
  Path config;

  @Option(names = "--profile", paramLabel = "NAME",
      description = "Merge the overlay config.NAME.yaml beside the config file (e.g. prod).")
  String profile;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Overrides kafka.bootstrap.servers.")
  String bootstrap;

  SwitchboardConfig load() {
    SwitchboardConfig loaded = ConfigLoader.fromEnvironment().load(config, profile);
    return loaded.withKafka(kafkaOverrides(System.getenv(), bootstrap));
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
