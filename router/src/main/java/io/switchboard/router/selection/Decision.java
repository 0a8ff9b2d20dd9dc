package io.switchboard.router.selection;

import io.switchboard.schemas.ErrorCode;
import java.time.Instant;
import java.util.List;

/**
 * What one routing pass decided. Each case carries the reasons candidate sets were passed over
 * ({@code skipped}), so that a routing-decision event can be emitted from it.
 */
public sealed interface Decision {
  List<String> skipped();

  /**
   * Send to a deployment.
   *
   * @param remaining the chains still to follow after this deployment
   * @param withinBudget false when no candidate had rpm/tpm budget left in the task's share (queued
   *     where the share is least overdrawn; the worker paces it)
   */
  record Dispatched(
      String deploymentId,
      String modelName,
      int hop,
      Chains remaining,
      boolean withinBudget,
      List<String> skipped)
      implements Decision {}

  /** Every reachable candidate is cooling down: hold the request until {@code until}. */
  record Held(Instant until, List<String> skipped) implements Decision {}

  /** No candidate is left: answer with {@code code}. */
  record Exhausted(ErrorCode code, String message, String lastModelName, List<String> skipped)
      implements Decision {}
}
