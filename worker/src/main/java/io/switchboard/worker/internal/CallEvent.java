package io.switchboard.worker.internal;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.worker.pacing.LanePacer;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What the threads completing provider calls, and the retry timer, tell the poll thread. They only
 * post these; the poll thread applies them to the lanes it owns.
 */
sealed interface CallEvent {
  /**
   * The lane the job was started on: possibly a lane no longer owned, whose results are dropped.
   */
  Lane lane();

  Job job();

  /**
   * One call ended. {@code always} (attempt event, health record) is published whoever owns the
   * lane; {@code result} (reply or hand-off) finishes the dispatch, or is null when a retry follows
   * after {@code retryIn}.
   *
   * @param tokens the tokens the call used as the provider reported them, else the estimate
   * @param attemptInResult the call's attempt event when {@code result} carries it instead of
   *     {@code always} (an ok reply); published on its own should the result be dropped, since the
   *     call was made all the same
   */
  record Completed(
      Lane lane,
      Job job,
      LanePacer.Permit permit,
      int tokens,
      List<ProducerRecord<String, byte[]>> always,
      List<ProducerRecord<String, byte[]>> result,
      Duration retryIn,
      AttemptEvent attemptInResult)
      implements CallEvent {

    /** Whether the dispatch is called again. */
    boolean retries() {
      return result == null;
    }
  }

  /** A retry's delay has passed. */
  record RetryDue(Lane lane, Job job) implements CallEvent {}
}
