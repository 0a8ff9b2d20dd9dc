package io.switchboard.router.selection;

import java.util.Arrays;
import java.util.List;

/**
 * A deterministic, smooth weighted round robin with an exact split: after every pick, each
 * candidate's count is strictly within one of its exact share ({@code n * weight / total}).
 *
 * <p>Each candidate's {@code j}-th pick has a window of picks in which it is due: from {@code
 * floor((j-1)/w)} to {@code ceil(j/w)} (w its normalized weight; the Pfair windows of
 * proportionate-fair scheduling). The next pick goes to the candidate whose window is open and
 * closes first (earliest deadline first; ties to the earlier candidate). With weights summing to
 * exactly 1, earliest-deadline-first meets every window, which is the ±1 bound. The classic nginx
 * smooth weighted round robin does not keep that bound with three or more candidates (it drifts
 * past 1 for some weights), which is why this one is used.
 *
 * <p>Weights are scaled to integers summing to {@link #SCALE}, so the arithmetic is exact and the
 * state (the pick count of each candidate) is restored bit for bit after a restart.
 */
public final class WeightedRoundRobin {
  /** Total integer weight a candidate set is normalized to. */
  public static final long SCALE = 1_000_000L;

  private WeightedRoundRobin() {}

  /**
   * Integer weights summing to {@link #SCALE} (largest-remainder rounding), for relative weights
   * that are finite and non-negative with a positive sum.
   */
  public static long[] normalize(List<Double> weights) {
    double total = 0;
    for (double w : weights) {
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("weights must be finite and >= 0, got " + weights);
      }
      total += w;
    }
    if (total <= 0) {
      throw new IllegalArgumentException("at least one weight must be > 0, got " + weights);
    }
    long[] scaled = new long[weights.size()];
    double[] remainder = new double[weights.size()];
    long assigned = 0;
    for (int i = 0; i < scaled.length; i++) {
      double exact = weights.get(i) / total * SCALE;
      scaled[i] = (long) Math.floor(exact);
      remainder[i] = exact - scaled[i];
      assigned += scaled[i];
    }
    for (long left = SCALE - assigned; left > 0; left--) {
      int best = -1;
      for (int i = 0; i < scaled.length; i++) {
        if (weights.get(i) > 0 && (best < 0 || remainder[i] > remainder[best])) {
          best = i;
        }
      }
      scaled[best]++;
      remainder[best] = -1;
    }
    return scaled;
  }

  /**
   * Picks one candidate and counts the pick in {@code counts}.
   *
   * @param weights integer weights summing to {@link #SCALE} (from {@link #normalize}); a 0 weight
   *     is never picked
   * @param counts picks so far per candidate, same length; all 0 for a fresh set
   * @return the index picked
   */
  public static int pick(long[] weights, long[] counts) {
    return pick(weights, counts, null);
  }

  /**
   * Picks one of the {@code eligible} candidates and counts the pick in {@code counts}.
   *
   * <p>With every candidate eligible this is {@link #pick(long[], long[])}, and the ±1 bound holds.
   * When some are left out (cooling down, out of budget), the pick goes to the eligible candidate
   * that is most behind its share: the earliest deadline among those whose window is open, else the
   * earliest deadline among all eligible ones. The counts keep covering the whole set, so once
   * everyone is eligible again the candidates that were served ahead of their share wait until the
   * others catch up.
   *
   * @param eligible which candidates may be picked; null means all
   * @throws IllegalArgumentException when no eligible candidate has a weight above 0
   */
  public static int pick(long[] weights, long[] counts, boolean[] eligible) {
    if (weights.length != counts.length
        || (eligible != null && eligible.length != weights.length)) {
      throw new IllegalArgumentException(
          "weights, counts and eligible differ in length: "
              + weights.length
              + " vs "
              + counts.length
              + (eligible == null ? "" : " vs " + eligible.length));
    }
    long slot = 0;
    for (long c : counts) {
      slot += c;
    }
    int best = -1;
    long bestDeadline = Long.MAX_VALUE;
    int late = -1;
    long lateDeadline = Long.MAX_VALUE;
    for (int i = 0; i < weights.length; i++) {
      long w = weights[i];
      if (w <= 0 || (eligible != null && !eligible[i])) {
        continue;
      }
      long deadline = -Math.floorDiv(-(counts[i] + 1) * SCALE, w);
      long release = Math.floorDiv(counts[i] * SCALE, w);
      if (release > slot) {
        if (deadline < lateDeadline) {
          late = i;
          lateDeadline = deadline;
        }
        continue;
      }
      if (deadline < bestDeadline) {
        best = i;
        bestDeadline = deadline;
      }
    }
    if (best < 0) {
      best = late;
    }
    if (best < 0) {
      throw new IllegalArgumentException(
          "no eligible candidate has a weight above 0: "
              + Arrays.toString(weights)
              + (eligible == null ? "" : " eligible " + Arrays.toString(eligible)));
    }
    counts[best]++;
    return best;
  }
}
