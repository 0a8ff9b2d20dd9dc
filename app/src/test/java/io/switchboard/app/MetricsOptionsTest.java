package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.config.ConfigException;
import io.switchboard.schemas.config.ObservabilityConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The metrics port: {@code --metrics-port}, then {@code SWITCHBOARD_METRICS_PORT}, then {@code
 * observability.port}.
 */
class MetricsOptionsTest {
  static final ObservabilityConfig FROM_CONFIG = new ObservabilityConfig(9500, "127.0.0.1");

  static MetricsOptions options(Integer flag, Map<String, String> env) {
    MetricsOptions options = new MetricsOptions();
    options.port = flag;
    options.environment = env;
    return options;
  }

  @Test
  void theFlagThenTheEnvironmentThenTheConfigNameThePort() {
    assertThat(options(9600, Map.of(MetricsOptions.ENV, "9700")).resolve(FROM_CONFIG))
        .isEqualTo(new ObservabilityConfig(9600, "127.0.0.1"));
    assertThat(options(null, Map.of(MetricsOptions.ENV, " 9700 ")).resolve(FROM_CONFIG))
        .isEqualTo(new ObservabilityConfig(9700, "127.0.0.1"));
    assertThat(options(null, Map.of()).resolve(FROM_CONFIG)).isEqualTo(FROM_CONFIG);
    assertThat(options(-1, Map.of()).resolve(FROM_CONFIG).enabled()).isFalse();
  }

  @Test
  void aPortThatIsNoPortIsNamedWithWhereItCameFrom() {
    assertThatThrownBy(
            () -> options(null, Map.of(MetricsOptions.ENV, "metrics")).resolve(FROM_CONFIG))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "SWITCHBOARD_METRICS_PORT: 'metrics' is not a port number"
                + " (0 for any free port, -1 for none)");
    assertThatThrownBy(() -> options(70_000, Map.of()).resolve(FROM_CONFIG))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("--metrics-port: 70000 is not a port number");
  }

  @Test
  void everyLongRunningProcessTakesTheOption() {
    for (String command : new String[] {"router", "worker"}) {
      assertThat(Main.commandLine().getSubcommands().get(command).getCommandSpec().optionsMap())
          .as(command)
          .containsKey("--metrics-port");
    }
  }
}
