package io.switchboard.router.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class StreamsAppsTest {
  @TempDir Path tmp;

  static SwitchboardConfig config(String routerSettings) {
    return new ConfigLoader(k -> null)
        .parse(
            """
        model_list:
          - {model_name: chat}
        """
                + routerSettings,
            "test");
  }

  @Test
  void stateDirIsTheConfiguredOneWhenSet() {
    String configured = tmp.resolve("router-state").toString();
    assertThat(
            StreamsApps.stateDir(
                config("router_settings: {state_dir: " + configured + "}\n"), "switchboard-x-"))
        .isEqualTo(configured);
    assertThat(tmp.resolve("router-state")).doesNotExist();
  }

  @Test
  void stateDirIsANewTemporaryDirectoryNamedByThePrefixOtherwise() throws Exception {
    Path dir = Path.of(StreamsApps.stateDir(config(""), "switchboard-metrics-"));
    try {
      assertThat(dir).isDirectory();
      assertThat(dir.getFileName().toString()).startsWith("switchboard-metrics-");
      assertThat(Path.of(StreamsApps.stateDir(config(""), "switchboard-metrics-")))
          .isNotEqualTo(dir);
    } finally {
      Files.deleteIfExists(dir);
    }
  }
}
