package io.switchboard.testkit.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RpmScheduleTest {
  @Test
  void readsStepsInTimeOrderAndNamesABadOne() {
    assertThat(RpmSchedule.parse("120=600, 300.5=150").steps())
        .containsExactly(
            new RpmSchedule.Step(Duration.ofSeconds(120), 600),
            new RpmSchedule.Step(Duration.ofMillis(300_500), 150));
    assertThatThrownBy(() -> RpmSchedule.parse("120=600,soon=3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'soon=3'");
    assertThatThrownBy(() -> RpmSchedule.parse("120=600,60=300"))
        .hasMessageContaining("time order");
  }

  @Test
  @Timeout(10)
  void eachStepSetsEveryDeploymentsRealLimitAtItsTime() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (MockProvider mock = MockProvider.start()) {
      mock.behave("own", Behavior.ok().withRpm(1));
      List<ScheduledFuture<?>> steps = RpmSchedule.parse("0=40,0.2=80").start(mock, timer);
      steps.get(0).get(5, TimeUnit.SECONDS);
      steps.get(1).get(5, TimeUnit.SECONDS);
      assertThat(mock.behaviorOf("own").rpm()).isEqualTo(80);
      assertThat(mock.behaviorOf(MockProvider.DEFAULT_DEPLOYMENT).rpm()).isEqualTo(80);
    } finally {
      timer.shutdownNow();
    }
  }
}
