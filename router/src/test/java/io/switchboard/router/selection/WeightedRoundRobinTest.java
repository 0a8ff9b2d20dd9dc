package io.switchboard.router.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinTest {
  @Test
  void everyCountStaysWithinOneOfItsExactShareForRandomWeightsAndLengths() {
    Random random = new Random(20261122L);
    for (int trial = 0; trial < 300; trial++) {
      int size = 1 + random.nextInt(7);
      List<Double> weights = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        weights.add(random.nextInt(4) == 0 ? random.nextInt(5) : random.nextDouble() * 100);
      }
      if (weights.stream().mapToDouble(Double::doubleValue).sum() == 0) {
        weights.set(0, 1.0);
      }
      long[] scaled = WeightedRoundRobin.normalize(weights);
      long[] state = new long[size];
      long[] counts = new long[size];
      int n = 1 + random.nextInt(3000);
      for (int pick = 1; pick <= n; pick++) {
        counts[WeightedRoundRobin.pick(scaled, state)]++;
        for (int i = 0; i < size; i++) {
          double exact = (double) pick * scaled[i] / WeightedRoundRobin.SCALE;
          assertThat(Math.abs(counts[i] - exact))
              .as("trial %d weights %s after %d picks, candidate %d", trial, weights, pick, i)
              .isLessThan(1.0);
        }
      }
    }
  }

  @Test
  void zeroWeightIsNeverPicked() {
    long[] w = WeightedRoundRobin.normalize(List.of(1.0, 0.0, 3.0));
    long[] current = new long[3];
    for (int i = 0; i < 1000; i++) {
      assertThat(WeightedRoundRobin.pick(w, current)).isNotEqualTo(1);
    }
  }

  @Test
  void seventyThirtyInterleavesEvenly() {
    long[] w = WeightedRoundRobin.normalize(List.of(0.7, 0.3));
    long[] current = new long[2];
    StringBuilder seq = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      seq.append(WeightedRoundRobin.pick(w, current));
    }
    assertThat(seq.toString()).isEqualTo("0010010001");
  }

  @Test
  void normalizedWeightsSumToScaleAndRejectBadInput() {
    long[] w = WeightedRoundRobin.normalize(List.of(1.0, 1.0, 1.0));
    assertThat(w[0] + w[1] + w[2]).isEqualTo(WeightedRoundRobin.SCALE);
    assertThatThrownBy(() -> WeightedRoundRobin.normalize(List.of(0.0, 0.0)))
        .hasMessageContaining("> 0");
    assertThatThrownBy(() -> WeightedRoundRobin.normalize(List.of(-1.0, 2.0)))
        .hasMessageContaining(">= 0");
  }

  @Test
  void ineligibleCandidatesAreSkippedAndTheOthersCatchUpAfterwards() {
    long[] w = WeightedRoundRobin.normalize(List.of(1.0, 1.0));
    long[] counts = new long[2];
    for (int i = 0; i < 6; i++) {
      assertThat(WeightedRoundRobin.pick(w, counts, new boolean[] {false, true})).isEqualTo(1);
    }
    StringBuilder seq = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      seq.append(WeightedRoundRobin.pick(w, counts));
    }
    assertThat(seq.toString()).startsWith("000000");
    assertThat(counts).containsExactly(7, 7);
    assertThatThrownBy(() -> WeightedRoundRobin.pick(w, counts, new boolean[] {false, false}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
