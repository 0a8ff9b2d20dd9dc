package io.switchboard.testkit.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CallLogTest {
  @Test
  void keepsEveryFieldAcrossChunks() {
    CallLog log = new CallLog();
    Instant start = Instant.parse("2026-01-01T00:00:00.123456789Z");
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      log.add(
          start.plusMillis(i),
          i % 2 == 0 ? "even" : "odd",
          i % 3 == 0 ? Call.ANTHROPIC : Call.OPENAI,
          i % 5 == 0 ? null : "m" + (i % 7),
          200 + (i % 4),
          i,
          i % 2 == 0,
          i % 11 == 0 ? null : "r" + i,
          i % 13);
    }

    assertThat(log.size()).isEqualTo(n);
    List<Call> all = log.snapshot(null);
    assertThat(all).hasSize(n);
    for (int i : new int[] {0, 1, 32_767, 32_768, 65_536, 99_999}) {
      assertThat(all.get(i))
          .isEqualTo(
              new Call(
                  start.plusMillis(i),
                  i % 2 == 0 ? "even" : "odd",
                  i % 3 == 0 ? Call.ANTHROPIC : Call.OPENAI,
                  i % 5 == 0 ? null : "m" + (i % 7),
                  200 + (i % 4),
                  i,
                  i % 2 == 0,
                  i % 11 == 0 ? null : "r" + i,
                  i % 13));
    }
    assertThat(log.snapshot("odd"))
        .hasSize(n / 2)
        .allSatisfy(c -> assertThat(c.deployment()).isEqualTo("odd"));
    assertThat(log.snapshot("none")).isEmpty();

    log.clear();
    assertThat(log.size()).isZero();
    assertThat(log.snapshot(null)).isEmpty();
  }
}
