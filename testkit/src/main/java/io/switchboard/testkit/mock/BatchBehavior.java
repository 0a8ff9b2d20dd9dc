package io.switchboard.testkit.mock;

import java.time.Duration;
import java.util.Objects;

/**
 * How the mock's batch APIs (OpenAI and Azure files and batches, Anthropic message batches) treat
 * the jobs of one deployment. Time is scaled: a job ends {@link #processing()} after it was
 * created, however long the provider's window ("24h") is. Install with {@link
 * MockProvider#behaveBatches(String, BatchBehavior)}.
 *
 * @param processing how long after its creation a job ends
 * @param fault how the job ends
 * @param completedShare with {@link BatchFault#EXPIRED}: the share (0..1) of its requests answered
 *     before it expired, the first ones of its input; the rest expire
 * @param lineErrorEvery when > 0, every n-th request of a job (1-based) fails with {@code
 *     lineErrorStatus} instead of being answered
 * @param lineErrorStatus the HTTP status of those failed requests (e.g. 400, 500)
 */
public record BatchBehavior(
    Duration processing,
    BatchFault fault,
    double completedShare,
    int lineErrorEvery,
    int lineErrorStatus) {

  /** How a batch job ends. */
  public enum BatchFault {
    /** Every request answered (but those {@code lineErrorEvery} fails). */
    NONE,
    /**
     * The job fails as a whole: OpenAI and Azure report status {@code failed} with no output;
     * Anthropic ends it with every request {@code errored} ({@code api_error}).
     */
    FAILED,
    /**
     * The job expires with {@code completedShare} of its requests answered and the rest expired.
     */
    EXPIRED
  }

  public BatchBehavior {
    Objects.requireNonNull(processing, "processing");
    Objects.requireNonNull(fault, "fault");
    if (processing.isNegative()) {
      throw new IllegalArgumentException("processing must not be negative, was " + processing);
    }
    if (!(completedShare >= 0 && completedShare <= 1)) {
      throw new IllegalArgumentException(
          "completedShare must be between 0 and 1, was " + completedShare);
    }
    if (lineErrorEvery < 0) {
      throw new IllegalArgumentException("lineErrorEvery must be >= 0, was " + lineErrorEvery);
    }
  }

  /** Every job ends answered, {@code processing} after its creation. */
  public static BatchBehavior completesAfter(Duration processing) {
    return new BatchBehavior(processing, BatchFault.NONE, 1, 0, 500);
  }

  /** The default: every job ends answered after one second. */
  public static BatchBehavior ok() {
    return completesAfter(Duration.ofSeconds(1));
  }

  /** This behaviour, but every job fails as a whole. */
  public BatchBehavior failing() {
    return new BatchBehavior(processing, BatchFault.FAILED, 1, lineErrorEvery, lineErrorStatus);
  }

  /** This behaviour, but every job expires with {@code share} of its requests answered. */
  public BatchBehavior expiringWith(double share) {
    return new BatchBehavior(
        processing, BatchFault.EXPIRED, share, lineErrorEvery, lineErrorStatus);
  }

  /** This behaviour, with every {@code n}-th request of a job failing with {@code status}. */
  public BatchBehavior withLineErrorEvery(int n, int status) {
    return new BatchBehavior(processing, fault, completedShare, n, status);
  }
}
