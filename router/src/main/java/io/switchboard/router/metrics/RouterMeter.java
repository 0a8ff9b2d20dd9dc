package io.switchboard.router.metrics;

import io.switchboard.schemas.metrics.MeterDefinition;
import java.util.List;

/**
 * Every meter of the router process, declared once: name, description, base unit and tag keys.
 * Registered by {@link RouterMetrics}. Prometheus names replace dots with underscores and add the
 * unit and {@code _total} to counters (e.g. {@code switchboard_router_routed_requests_total}).
 */
public enum RouterMeter implements MeterDefinition {
  /** First routes, per deployment and the model name the request was routed through. */
  ROUTED(
      "switchboard.router.routed",
      Type.COUNTER,
      "Requests routed to a deployment (first route, hop 0)",
      "requests",
      List.of(Tag.DEPLOYMENT, Tag.MODEL)),
  /** Fallback routes: dispatches with hop above 0. */
  FALLBACKS(
      "switchboard.router.fallbacks",
      Type.COUNTER,
      "Requests routed to a deployment by a fallback (hop above 0)",
      "requests",
      List.of(Tag.DEPLOYMENT, Tag.MODEL)),
  /**
   * Re-routes: a deployment handed the request back and another of the same alias, group or list
   * took it.
   */
  REROUTES(
      "switchboard.router.reroutes",
      Type.COUNTER,
      "Requests sent to another deployment of the same alias, group or inline list after one handed them back",
      "requests",
      List.of(Tag.DEPLOYMENT, Tag.MODEL)),
  /**
   * Routes made when no candidate had rpm/tpm budget left in the task's share: queued on the lanes
   * of the least overdrawn deployment, where the worker paces them. Counted with the route.
   */
  OVER_BUDGET(
      "switchboard.router.over.budget",
      Type.COUNTER,
      "Requests routed when no candidate had rpm/tpm budget left in the router task's share (the worker paces them)",
      "requests",
      List.of(Tag.DEPLOYMENT, Tag.MODEL)),
  /** Requests the router answered with an error itself; the outcome tag is the error code. */
  REJECTED(
      "switchboard.router.rejected",
      Type.COUNTER,
      "Requests answered with an error by the router, by error code",
      "requests",
      List.of(Tag.OUTCOME)),
  /**
   * The configured share of each deployment in each alias and group (for split-vs-expected panels).
   */
  EXPECTED_SHARE(
      "switchboard.router.expected.share",
      Type.GAUGE,
      "Configured share of first routes of a deployment within a model name (alias or group), 0..1",
      "ratio",
      List.of(Tag.DEPLOYMENT, Tag.MODEL)),
  /**
   * Time from the router's first read of a request to this route: 0 for a request routed as it is
   * read, the cooldown hold of a held one, and for a fallback route also the attempts before it.
   * The delay from the request record's timestamp to its dispatch is Kafka Streams' end-to-end
   * latency of the dispatch sink ({@code kafka_stream_processor_node_record_e2e_latency_*}).
   */
  ROUTING_DELAY(
      "switchboard.router.routing.delay",
      Type.TIMER,
      "Time from the router first reading a request to this route: 0 unless it was held in cooldown;"
          + " a fallback route's includes the attempts before it",
      "seconds",
      List.of(Tag.MODEL)),
  /** The version of the live configuration in force: 0 for the start-up file. */
  CONFIG_VERSION(
      "switchboard.router.config.version",
      Type.GAUGE,
      "The version of the live configuration the router routes by (0: its start-up file)",
      null,
      List.of()),
  /** Versions of the config topic this router refused, keeping the one in force. */
  CONFIG_REJECTED(
      "switchboard.router.config.rejected",
      Type.COUNTER,
      "Live configuration versions this router could not apply (it kept the version in force)",
      "versions",
      List.of());

  private final Spec spec;

  RouterMeter(
      String meterName, Type type, String description, String baseUnit, List<String> tagKeys) {
    this.spec = new Spec(meterName, type, description, baseUnit, tagKeys);
  }

  @Override
  public Spec spec() {
    return spec;
  }
}
