package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Every command that talks to Kafka resolves its Kafka properties one way: the config's {@code
 * kafka:} (with the profile's overlay), then {@code SWITCHBOARD_KAFKA_*}, then {@code --bootstrap}.
 */
class ConfigOptionsTest {
  static final List<String> KAFKA_COMMANDS =
      List.of("batch", "submit", "router", "worker", "topics", "stats");

  /** The commands that run from a config's model list and so need one. */
  static final List<String> NEED_CONFIG = List.of("router", "worker", "topics");

  @TempDir Path dir;

  /** The arguments a command requires besides the Kafka options. */
  static List<String> required(String command) {
    return command.equals("batch")
        ? List.of("--input", "in.jsonl", "--output", "out.jsonl")
        : List.of();
  }

  /**
   * The mixin of {@code command} after parsing {@code kafkaArgs}, reading {@code env} as its
   * environment.
   */
  static ConfigOptions parse(String command, Map<String, String> env, String... kafkaArgs) {
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(required(command));
    args.addAll(Arrays.asList(kafkaArgs));
    CommandLine cli = Main.commandLine();
    cli.parseArgs(args.toArray(String[]::new));
    ConfigOptions options = mixin(cli.getSubcommands().get(command).getCommandSpec());
    options.environment = env;
    return options;
  }

  static ConfigOptions mixin(CommandSpec spec) {
    List<ConfigOptions> found =
        spec.mixins().values().stream()
            .map(CommandSpec::userObject)
            .filter(ConfigOptions.class::isInstance)
            .map(ConfigOptions.class::cast)
            .toList();
    assertThat(found).as("the ConfigOptions mixins of %s", spec.name()).hasSize(1);
    return found.get(0);
  }

  /**
   * The Kafka properties the command runs with: from its config when it needs one, else from its
   * connection.
   */
  static Map<String, String> resolved(String command, ConfigOptions options) {
    return NEED_CONFIG.contains(command) ? options.load().kafka() : options.connection().kafka();
  }

  Path writeConfig(String kafkaYaml) throws Exception {
    Path config = dir.resolve("switchboard.yaml");
    Files.writeString(
        config,
        """
        model_list:
          - model_name: chat
            deployment_id: chat-a
            provider: openai_compatible
            model: m
            api_base: http://127.0.0.1:1/v1
        """
            + kafkaYaml);
    Files.writeString(
        dir.resolve("switchboard.prod.yaml"),
        """
        kafka:
          sasl.mechanism: PLAIN
          client.id: from-profile
        """);
    return config;
  }

  @Test
  void everyKafkaCommandHasTheSameKafkaOptionsAndNoOtherWayToNameACluster() {
    CommandLine cli = Main.commandLine();
    for (String command : KAFKA_COMMANDS) {
      CommandSpec spec = cli.getSubcommands().get(command).getCommandSpec();
      mixin(spec);
      TreeSet<String> names = new TreeSet<>();
      spec.options().stream().map(OptionSpec::names).forEach(n -> names.addAll(Arrays.asList(n)));
      assertThat(names)
          .as(command)
          .contains("-c", "--config", "--profile", "--bootstrap")
          .noneMatch(n -> n.contains("kafka") || n.startsWith("--bootstrap-"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"batch", "submit", "router", "worker", "topics", "stats"})
  void configThenProfileThenEnvironmentThenBootstrapFlag(String command) throws Exception {
    Path config =
        writeConfig(
            """
        kafka:
          bootstrap.servers: from-config:9092
          client.id: from-config
          security.protocol: PLAINTEXT
          acks: all
        """);
    Map<String, String> env =
        Map.of(
            "SWITCHBOARD_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
            "SWITCHBOARD_KAFKA_BOOTSTRAP_SERVERS", "from-env:9092",
            "SWITCHBOARD_KAFKA_", "ignored",
            "OTHER_KAFKA_ACKS", "0");

    ConfigOptions options =
        parse(
            command,
            env,
            "--config",
            config.toString(),
            "--profile",
            "prod",
            "--bootstrap",
            "from-flag:9092");
    assertThat(resolved(command, options))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "bootstrap.servers", "from-flag:9092",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "client.id", "from-profile",
                "acks", "all"));

    ConfigOptions withoutFlag = parse(command, env, "-c", config.toString());
    assertThat(resolved(command, withoutFlag))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "bootstrap.servers", "from-env:9092",
                "security.protocol", "SASL_SSL",
                "client.id", "from-config",
                "acks", "all"));

    ConfigOptions configOnly = parse(command, Map.of(), "--config", config.toString());
    assertThat(resolved(command, configOnly))
        .containsEntry("bootstrap.servers", "from-config:9092")
        .containsEntry("security.protocol", "PLAINTEXT");
  }

  @ParameterizedTest
  @ValueSource(strings = {"batch", "submit", "router", "worker", "topics", "stats"})
  void aConfigWithoutABootstrapAddressTakesItFromTheEnvironmentOrStops(String command)
      throws Exception {
    Path config = writeConfig("");
    ConfigOptions fromEnv =
        parse(
            command,
            Map.of("SWITCHBOARD_KAFKA_BOOTSTRAP_SERVERS", "from-env:9092"),
            "--config",
            config.toString());
    assertThat(resolved(command, fromEnv)).containsEntry("bootstrap.servers", "from-env:9092");

    ConfigOptions none = parse(command, Map.of(), "--config", config.toString());
    assertThatThrownBy(() -> resolved(command, none))
        .isInstanceOf(ParameterException.class)
        .hasMessage(
            "no Kafka cluster given: pass --bootstrap=HOST:PORT, a --config=FILE with kafka.bootstrap.servers,"
                + " or set SWITCHBOARD_KAFKA_BOOTSTRAP_SERVERS");
  }

  @ParameterizedTest
  @ValueSource(strings = {"batch", "submit", "stats"})
  void withoutAConfigTheEnvironmentOrTheFlagNamesTheClusterAndNothingIsGuessed(String command) {
    Map<String, String> env =
        Map.of(
            "SWITCHBOARD_KAFKA_BOOTSTRAP_SERVERS",
            "from-env:9092",
            "SWITCHBOARD_KAFKA_SASL_JAAS_CONFIG",
            "jaas");
    assertThat(parse(command, env).connection().kafka())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("bootstrap.servers", "from-env:9092", "sasl.jaas.config", "jaas"));
    assertThat(parse(command, env, "--bootstrap", "from-flag:9092").connection().kafka())
        .containsEntry("bootstrap.servers", "from-flag:9092");

    ConfigOptions nothing = parse(command, Map.of());
    assertThatThrownBy(nothing::connection)
        .isInstanceOf(ParameterException.class)
        .hasMessageStartingWith("no Kafka cluster given: pass --bootstrap=HOST:PORT")
        .hasMessageNotContaining("\n");
    ConfigOptions profileAlone = parse(command, env, "--profile", "prod");
    assertThatThrownBy(profileAlone::connection)
        .isInstanceOf(ParameterException.class)
        .hasMessageStartingWith("--profile needs --config=FILE");
  }

  @ParameterizedTest
  @ValueSource(strings = {"router", "worker", "topics"})
  void theProcessCommandsNeedAConfigWhateverNamesTheCluster(String command) {
    ConfigOptions options =
        parse(
            command,
            Map.of("SWITCHBOARD_KAFKA_BOOTSTRAP_SERVERS", "from-env:9092"),
            "--bootstrap",
            "from-flag:9092");
    assertThatThrownBy(options::load)
        .isInstanceOf(ParameterException.class)
        .hasMessage("Missing required option: '--config=FILE'");
  }
}
