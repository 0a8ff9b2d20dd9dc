package io.switchboard.schemas.config.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LiveConfigTest {
  private static final SwitchboardConfig FILE =
      new ConfigLoader(name -> null)
          .parse("model_list: [{model_name: chat, api_base: \"http://localhost:1/v1\"}]", "f.yaml");

  @Test
  void theStartUpFileIsVersionZero() {
    LiveConfig live = new LiveConfig(FILE);
    assertThat(live.version()).isZero();
    assertThat(live.current().config()).isSameAs(FILE);
  }

  @Test
  void versionsOnlyMoveForward() {
    LiveConfig live = new LiveConfig(FILE);
    SwitchboardConfig two = FILE.withKafka(java.util.Map.of("client.id", "two"));
    assertThat(live.update(2, two)).isTrue();
    assertThat(live.update(1, FILE)).isFalse();
    assertThat(live.update(2, FILE)).isFalse();
    assertThat(live.current()).isEqualTo(new LiveConfig.Version(2, two));
  }

  @Test
  @Timeout(10)
  void awaitingAVersionReturnsOnceItIsInForce() throws Exception {
    LiveConfig live = new LiveConfig(FILE);
    assertThat(live.awaitVersion(1, Duration.ofMillis(50))).isFalse();
    CompletableFuture<Boolean> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return live.awaitVersion(3, Duration.ofSeconds(8));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    live.update(3, FILE);
    assertThat(waiting.get()).isTrue();
  }
}
