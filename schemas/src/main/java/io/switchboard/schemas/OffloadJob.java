package io.switchboard.schemas;

import java.time.Instant;
import java.util.Objects;

/**
 * One provider batch job of an offload deployment, on the compacted offload jobs topic (key: {@link
 * #jobId}); a tombstone marks it done. The record is written first as an intent ({@link
 * State#PENDING}), in the transaction that commits the dispatch offsets of its requests, so the job
 * (and no other copy) takes over their answering; then as {@link State#SUBMITTED} once the provider
 * holds it, and again after every chunk of replies, which go out in the same transaction. Shape:
 * {@code schemas/offload-job.schema.json}.
 *
 * @param jobId the job's own id: the deployment, dispatch partition and first offset; also the
 *     metadata by which the provider's batch is found again after a crash
 * @param deploymentId the offload deployment
 * @param partition the dispatch partition its requests were read from
 * @param offsets the dispatch offsets of its requests, as ascending ranges {@code
 *     "0-99,120,130-140"}
 * @param requests how many requests it holds
 * @param state where the job is
 * @param providerBatchId the provider's id of the batch; null until submitted
 * @param repliedThrough every request at or below this dispatch offset is answered; null for none
 * @param createdAt when the intent was written
 * @param submittedAt when the provider accepted the batch; null until then
 */
public record OffloadJob(
    String jobId,
    String deploymentId,
    int partition,
    String offsets,
    int requests,
    State state,
    String providerBatchId,
    Long repliedThrough,
    Instant createdAt,
    Instant submittedAt) {

  /** Where a job is. */
  public enum State {
    /** Recorded, not yet (known to be) at the provider. */
    PENDING,
    /** At the provider, polled until it ends; then answered chunk by chunk. */
    SUBMITTED;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public OffloadJob {
    Objects.requireNonNull(jobId, "job_id");
    Objects.requireNonNull(deploymentId, "deployment_id");
    Objects.requireNonNull(offsets, "offsets");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "created_at");
    if (state == State.SUBMITTED && providerBatchId == null) {
      throw new IllegalArgumentException("a submitted job needs its provider_batch_id");
    }
  }

  /** The intent of a job: nothing at the provider yet. */
  public static OffloadJob pending(
      String jobId, String deploymentId, int partition, String offsets, int requests, Instant now) {
    return new OffloadJob(
        jobId, deploymentId, partition, offsets, requests, State.PENDING, null, null, now, null);
  }

  /** This job, held by the provider as {@code batchId}. */
  public OffloadJob submitted(String batchId, Instant now) {
    return new OffloadJob(
        jobId,
        deploymentId,
        partition,
        offsets,
        requests,
        State.SUBMITTED,
        batchId,
        repliedThrough,
        createdAt,
        now);
  }

  /** This job with every request at or below {@code offset} answered. */
  public OffloadJob repliedThrough(long offset) {
    return new OffloadJob(
        jobId,
        deploymentId,
        partition,
        offsets,
        requests,
        state,
        providerBatchId,
        offset,
        createdAt,
        submittedAt);
  }
}
