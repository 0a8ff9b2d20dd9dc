package io.switchboard.worker.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.NavigableSet;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class OffsetCodecTest {

  @Test
  void randomSetsRoundTripExactly() {
    Random random = new Random(4242);
    for (int trial = 0; trial < 2000; trial++) {
      long base = random.nextInt(1_000_000);
      NavigableSet<Long> finished = randomSet(random, base);
      String text = OffsetCodec.encode(base, finished);
      assertThat(OffsetCodec.decode(base, text))
          .as("trial %d base %d set %s", trial, base, finished)
          .isEqualTo(finished);
      assertThat(text.length())
          .isLessThanOrEqualTo(
              (int)
                  OffsetCodec.encodedLengthBound(
                      base, finished.isEmpty() ? base - 1 : finished.last()));
    }
  }

  @Test
  void emptySetIsEmptyTextAndForeignMetadataDecodesAsNothingFinished() {
    assertThat(OffsetCodec.encode(7, new TreeSet<>())).isEmpty();
    assertThat(OffsetCodec.decode(7, "")).isEmpty();
    assertThat(OffsetCodec.decode(7, null)).isEmpty();
    assertThat(OffsetCodec.decode(7, "committed by kafka-consumer-groups")).isEmpty();
  }

  @Test
  void longContiguousRunsStaySmall() {
    NavigableSet<Long> finished = new TreeSet<>();
    for (long o = 1_001; o < 1_000_000; o++) {
      finished.add(o);
    }
    String text = OffsetCodec.encode(1_000, finished);
    assertThat(text.length()).isLessThan(20);
    assertThat(OffsetCodec.decode(1_000, text)).hasSize(finished.size()).startsWith(1_001L);
  }

  @Test
  void corruptMetadataIsRejectedWithAClearMessage() {
    assertThatThrownBy(() -> OffsetCodec.decode(0, OffsetCodec.PREFIX + "***"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("corrupt")
        .hasMessageContaining("base64");
    assertThatThrownBy(() -> OffsetCodec.decode(0, OffsetCodec.PREFIX + "WA"))
        .hasMessageContaining("too short");
    // kind 'R' followed by a varint that never ends
    assertThatThrownBy(() -> OffsetCodec.decode(0, OffsetCodec.PREFIX + "UoCA"))
        .hasMessageContaining("truncated");
  }

  @Test
  void offsetsBelowTheBaseAreRefused() {
    assertThatThrownBy(() -> OffsetCodec.encode(10, new TreeSet<>(java.util.List.of(9L, 12L))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("9")
        .hasMessageContaining("10");
  }

  private static NavigableSet<Long> randomSet(Random random, long base) {
    NavigableSet<Long> set = new TreeSet<>();
    int shape = random.nextInt(4);
    int span = 1 + random.nextInt(shape == 3 ? 20_000 : 3_000);
    double density = shape == 0 ? 0.05 : shape == 1 ? 0.5 : 0.95;
    for (long o = base + 1; o < base + span; o++) {
      boolean in =
          shape == 3 ? (o / (1 + random.nextInt(50))) % 2 == 0 : random.nextDouble() < density;
      if (in) {
        set.add(o);
      }
    }
    return set;
  }
}
