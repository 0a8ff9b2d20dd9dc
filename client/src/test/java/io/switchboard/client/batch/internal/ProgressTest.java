package io.switchboard.client.batch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.client.batch.ProgressMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ProgressTest {
  final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  final AtomicLong millis = new AtomicLong();
  final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return Instant.ofEpochMilli(millis.get());
        }
      };

  String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void plainLinesGiveDoneTotalPercentRateEtaAndErrors() {
    Progress p = new Progress(out, ProgressMode.PLAIN, Duration.ofSeconds(10), clock, 1000, 100, 1);
    millis.set(10_000);
    for (int i = 0; i < 200; i++) {
      p.answered(i % 50 != 0);
    }
    assertThat(p.line()).isEqualTo("300/1000  30.0%     20.0/s ETA 0:35 errors 5");
    p.close();
    assertThat(printed()).isEqualTo("batch: 300/1000  30.0%     20.0/s ETA 0:35 errors 5\n");
  }

  @Test
  void theBarFillsInProportionAndIsRedrawnInPlace() {
    Progress p = new Progress(out, ProgressMode.BAR, Duration.ofSeconds(10), clock, 8, 0, 0);
    millis.set(2_000);
    for (int i = 0; i < 6; i++) {
      p.answered(true);
    }
    assertThat(p.line())
        .isEqualTo("[##################------] 6/8  75.0%      3.0/s ETA 0:01 errors 0");
    p.close();
    assertThat(printed())
        .startsWith("\r[##################------] 6/8")
        .endsWith("   \n")
        .doesNotContain("batch:");
  }

  @Test
  @Timeout(30)
  void plainLinesArePrintedEveryIntervalEachOnItsOwnLine() {
    Progress p = new Progress(out, ProgressMode.PLAIN, Duration.ofMillis(20), clock, 10, 0, 0);
    p.start();
    try {
      p.answered(true);
      await().atMost(Duration.ofSeconds(20)).until(() -> printed().lines().count() >= 3);
    } finally {
      p.close();
    }
    List<String> lines = Arrays.asList(printed().split("\n", -1));
    assertThat(lines.get(lines.size() - 1)).as("ends with a newline").isEmpty();
    assertThat(lines.subList(0, lines.size() - 1))
        .hasSizeGreaterThanOrEqualTo(4)
        .allSatisfy(
            l ->
                assertThat(l)
                    .startsWith("batch: 1/10  10.0%")
                    .doesNotContain("\r")
                    .doesNotContain("#"));
  }

  @Test
  @Timeout(30)
  void theBarIsRedrawnWithCarriageReturnsAndNoNewLineUntilTheEnd() {
    Progress p = new Progress(out, ProgressMode.BAR, Duration.ofSeconds(10), clock, 4, 0, 0);
    p.start();
    try {
      p.answered(false);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> printed().chars().filter(c -> c == '\r').count() >= 2);
      assertThat(printed()).doesNotContain("\n");
    } finally {
      p.close();
    }
    assertThat(printed())
        .contains("\r[######------------------] 1/4  25.0%")
        .endsWith("errors 1   \n");
    assertThat(printed().chars().filter(c -> c == '\n').count()).isEqualTo(1);
  }

  @Test
  void noneWritesNothing() {
    Progress p = new Progress(out, ProgressMode.NONE, Duration.ofMillis(1), clock, 4, 0, 0);
    p.start();
    p.answered(true);
    p.close();
    assertThat(printed()).isEmpty();
  }
}
