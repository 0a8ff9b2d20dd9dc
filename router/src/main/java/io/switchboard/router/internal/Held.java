package io.switchboard.router.internal;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.RouteRequest;
import java.time.Instant;
import java.util.Objects;

/**
 * A request the router holds because every candidate is cooling down; stored in the hold store
 * until {@code releaseAt}, then routed again from scratch (its deadline still applies).
 *
 * @param releaseAt when to route it again: the earliest cooldown end, or its deadline if sooner
 * @param request the request, for a new request (null for a hand-off)
 * @param receivedAt when the router first read the request
 * @param handoff the hand-off from a worker (null for a new request)
 * @param sourceTopic topic of the record that brought it, for a dead-letter copy
 * @param sourcePartition its partition
 * @param sourceOffset its offset
 */
public record Held(
    Instant releaseAt,
    RouteRequest request,
    Instant receivedAt,
    Dispatch handoff,
    String sourceTopic,
    int sourcePartition,
    long sourceOffset) {
  public Held {
    Objects.requireNonNull(releaseAt, "release_at");
    Objects.requireNonNull(receivedAt, "received_at");
    if ((request == null) == (handoff == null)) {
      throw new IllegalArgumentException("a held entry is either a request or a hand-off");
    }
  }

  String requestId() {
    return request != null ? request.id() : handoff.id();
  }

  /** The store key: ordered by release time, then request id. */
  String key() {
    return keyPrefix(releaseAt) + requestId();
  }

  static String keyPrefix(Instant at) {
    return String.format("%019d|", at.toEpochMilli());
  }
}
