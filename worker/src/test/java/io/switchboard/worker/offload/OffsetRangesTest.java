package io.switchboard.worker.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OffsetRangesTest {
  @Test
  void contiguousOffsetsMakeOneRangeAndGapsStartNewOnes() {
    OffsetRanges r = new OffsetRanges();
    for (long o : new long[] {0, 1, 2, 5, 7, 8}) {
      r.add(o);
    }
    assertThat(r.toString()).isEqualTo("0-2,5,7-8");
    assertThat(r.count()).isEqualTo(6);
    assertThat(r.rangeCount()).isEqualTo(3);
    assertThat(r.first()).isZero();
    assertThat(r.last()).isEqualTo(8);
  }

  @Test
  void randomAscendingOffsetsRoundTripThroughTheirText() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      TreeSet<Long> wanted = new TreeSet<>();
      int n = 1 + random.nextInt(300);
      while (wanted.size() < n) {
        wanted.add((long) random.nextInt(1000));
      }
      OffsetRanges r = new OffsetRanges();
      wanted.forEach(r::add);
      OffsetRanges back = OffsetRanges.parse(r.toString());
      List<Long> read = new ArrayList<>();
      back.forEach(read::add);
      assertThat(read).containsExactlyElementsOf(wanted);
      assertThat(back.count()).isEqualTo(wanted.size());
      assertThat(back.toString()).isEqualTo(r.toString());
    }
  }

  @Test
  void offsetsThatDoNotAscendAreRefusedNamingTheText() {
    OffsetRanges r = new OffsetRanges();
    r.add(5);
    assertThatThrownBy(() -> r.add(5)).hasMessageContaining("ascend");
    assertThatThrownBy(() -> OffsetRanges.parse("3-9,8")).hasMessageContaining("'3-9,8'");
    assertThatThrownBy(() -> OffsetRanges.parse("x")).hasMessageContaining("'x'");
    assertThatThrownBy(() -> OffsetRanges.parse("9-3")).hasMessageContaining("backwards");
  }
}
