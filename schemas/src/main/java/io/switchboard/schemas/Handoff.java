package io.switchboard.schemas;

import java.util.Objects;

/**
 * Why a worker handed a dispatch back to the router on the fallbacks topic.
 *
 * @param reason {@link Outcome#FALLBACK} (deployment exhausted), {@link Outcome#CONTEXT_WINDOW} or
 *     {@link Outcome#CONTENT_POLICY}
 * @param detail a short, redacted description of the last failure
 */
public record Handoff(Outcome reason, String detail) {
  public Handoff {
    Objects.requireNonNull(reason, "reason");
    if (reason != Outcome.FALLBACK
        && reason != Outcome.CONTEXT_WINDOW
        && reason != Outcome.CONTENT_POLICY) {
      throw new IllegalArgumentException(
          "a hand-off reason is FALLBACK, CONTEXT_WINDOW or CONTENT_POLICY, was " + reason);
    }
  }
}
