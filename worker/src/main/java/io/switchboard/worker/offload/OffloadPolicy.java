package io.switchboard.worker.offload;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.config.DeploymentConfig;
import java.time.Duration;
import java.time.Instant;

/**
 * Which dispatches go to a provider's batch API, and the names a job and its requests get there.
 *
 * <p>A dispatch is offloaded when all hold:
 *
 * <ul>
 *   <li>its deployment has a {@code batch_api};
 *   <li>its request is of class {@link Priority#BATCH} (other classes are called in real time on
 *       the same deployment);
 *   <li>it has no attempt on this deployment yet: a request whose batch line failed comes back for
 *       a real-time retry, never a second batch;
 *   <li>its deadline, if any, leaves room for the longest wait before the job is submitted ({@code
 *       batch_max_wait_seconds}) plus the batch APIs' completion window of {@link
 *       #COMPLETION_WINDOW}; a sooner deadline is served in real time.
 * </ul>
 */
public final class OffloadPolicy {
  /** How long a batch job may take at the provider: the window every batch API promises. */
  public static final Duration COMPLETION_WINDOW = Duration.ofHours(24);

  private static final String CUSTOM_ID_PREFIX = "d";

  private OffloadPolicy() {}

  /** Whether {@code dispatch}, read {@code now}, goes to {@code deployment}'s batch API. */
  public static boolean offloads(DeploymentConfig deployment, Dispatch dispatch, Instant now) {
    if (deployment.batchApi() == null || dispatch.request().priority() != Priority.BATCH) {
      return false;
    }
    String id = deployment.deploymentId();
    if (dispatch.attempts().stream().anyMatch(a -> id.equals(a.deploymentId()))) {
      return false;
    }
    Instant deadline = dispatch.request().deadline();
    return deadline == null
        || !deadline.isBefore(
            now.plusSeconds(deployment.batchMaxWaitSeconds()).plus(COMPLETION_WINDOW));
  }

  /**
   * The id of the job whose first request is at {@code firstOffset} of dispatch partition {@code
   * partition}: the same for a job written again after a crash, since its requests are read again
   * from the same first offset.
   */
  public static String jobId(String deploymentId, int partition, long firstOffset) {
    return "sbj-" + deploymentId + "-" + partition + "-" + firstOffset;
  }

  /**
   * The custom id of the request at dispatch offset {@code offset} in its job: letters and digits
   * only, as every batch API accepts, and the way back to the dispatch.
   */
  public static String customId(long offset) {
    return CUSTOM_ID_PREFIX + offset;
  }

  /** The dispatch offset of {@link #customId}, or -1 when {@code customId} is not one. */
  public static long offsetOf(String customId) {
    if (customId == null || !customId.startsWith(CUSTOM_ID_PREFIX)) {
      return -1;
    }
    try {
      return Long.parseLong(customId.substring(CUSTOM_ID_PREFIX.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
