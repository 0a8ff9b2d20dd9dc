package io.switchboard.sandbox.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
  static List<LoadGenerator.HeapWindow> windows(long... minMb) {
    List<LoadGenerator.HeapWindow> out = new ArrayList<>();
    for (int i = 0; i < minMb.length; i++) {
      out.add(new LoadGenerator.HeapWindow(5.0 * (i + 1), i * 1000L, minMb[i], minMb[i] + 100));
    }
    return out;
  }

  @Test
  void aStepThenAFlatHeapHasAWholeRunSlopeButNoneInItsSecondHalf() {
    List<LoadGenerator.HeapWindow> heap = windows(100, 100, 100, 350, 350, 350, 350, 350);
    assertThat(BenchReport.troughSlope(heap)).isPositive();
    assertThat(BenchReport.secondHalfTroughSlope(heap)).isCloseTo(0.0, within(1e-9));
  }

  @Test
  void aSteadyLeakShowsInBoth() {
    List<LoadGenerator.HeapWindow> heap = windows(100, 110, 120, 130, 140, 150);
    // 10 MB per 5 s window is 120 MB per minute
    assertThat(BenchReport.troughSlope(heap)).isCloseTo(120.0, within(1e-9));
    assertThat(BenchReport.secondHalfTroughSlope(heap)).isCloseTo(120.0, within(1e-9));
  }

  @Test
  void tooFewWindowsHaveNoSlope() {
    assertThat(BenchReport.secondHalfTroughSlope(windows(100, 200, 300, 400))).isNull();
  }
}
