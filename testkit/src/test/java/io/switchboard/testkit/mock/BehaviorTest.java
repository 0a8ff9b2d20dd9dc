package io.switchboard.testkit.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BehaviorTest {
  @Test
  void invalidSettingsAreRejectedNamingTheField() {
    assertThatThrownBy(() -> Behavior.ok().withErrors(1.5, 500)).hasMessageContaining("errorRate");
    assertThatThrownBy(() -> Behavior.ok().withErrors(0.1, 200)).hasMessageContaining("errorStatus");
    assertThatThrownBy(() -> Behavior.ok().withRpm(-1)).hasMessageContaining("rpm");
    assertThatThrownBy(() -> Behavior.ok().withStatus(302)).hasMessageContaining("faultStatus");
    assertThatThrownBy(() -> Behavior.ok().withRetryAfter(Duration.ofSeconds(-1))).hasMessageContaining("retryAfter");
    assertThatThrownBy(() -> Behavior.ok().withRequiredKey(" ")).hasMessageContaining("requiredKey");
    assertThatThrownBy(() -> Latency.uniform(10, 5)).hasMessageContaining("minMillis");
    assertThatThrownBy(() -> Latency.logNormal(100, 50)).hasMessageContaining("p99");
    assertThatThrownBy(() -> MockProviderOptions.defaults().withPort(70000)).hasMessageContaining("port");
  }

  @Test
  void withersChangeOneSettingAndKeepTheRest() {
    Behavior b = Behavior.ok().withLatencyMs(5).withRpm(10).withRequiredKey("k");
    assertThat(b.latency()).isEqualTo(Latency.fixed(5));
    assertThat(b.rpm()).isEqualTo(10);
    assertThat(b.requiredKey()).isEqualTo("k");
    assertThat(b.withFault(Fault.HANG).rpm()).isEqualTo(10);
    assertThat(b.withStatus(429).fault()).isEqualTo(Fault.STATUS);
    assertThat(b.toString()).contains("requiredKey=<set>").doesNotContain("=k");
  }

  @Test
  void resetFormatFollowsOpenAi() {
    assertThat(ProviderApi.resetFormat(20)).isEqualTo("20ms");
    assertThat(ProviderApi.resetFormat(1000)).isEqualTo("1s");
    assertThat(ProviderApi.resetFormat(1500)).isEqualTo("1.5s");
    assertThat(ProviderApi.resetFormat(360_000)).isEqualTo("6m0s");
    assertThat(ProviderApi.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(ProviderApi.retryAfterSeconds(1000)).isEqualTo(1);
    assertThat(ProviderApi.retryAfterSeconds(1001)).isEqualTo(2);
  }
}
