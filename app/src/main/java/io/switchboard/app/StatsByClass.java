package io.switchboard.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.MetricsSummary.ClassSummary;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.json.Json;
import java.util.Locale;

/**
 * The request classes' part of {@code switchboard stats}: requests, calls, errors, waits and
 * latency of each class seen, highest class first.
 */
final class StatsByClass {
  private static final String FORMAT = "%-28s %9s %9s %9s %11s %11s %8s %8s%n";

  private StatsByClass() {}

  /** {@code {"interactive": {...}, "batch": {...}}}: the classes seen in {@code s}. */
  static ObjectNode json(MetricsSummary s) {
    ObjectNode classes = Json.mapper().createObjectNode();
    for (Priority p : Priority.values()) {
      if (s.classes().containsKey(p.wire())) {
        ClassSummary c = s.of(p);
        ObjectNode row = classes.putObject(p.wire());
        row.put("routed", c.routed());
        row.put("attempts", c.attempts());
        row.put("errors", c.errors());
        row.put("wait_p50_ms", c.waits().p50Ms());
        row.put("wait_p99_ms", c.waits().p99Ms());
        row.put("wait_max_ms", c.waits().maxMs());
        row.put("p50_ms", c.latency().p50Ms());
        row.put("p99_ms", c.latency().p99Ms());
      }
    }
    return classes;
  }

  /**
   * The table of {@code s}'s classes under a heading, or nothing when it has none (a summary from
   * before classes).
   */
  static String table(MetricsSummary s) {
    if (s.classes().isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%n" + FORMAT,
            "BY CLASS",
            "ROUTED",
            "CALLS",
            "ERRORS",
            "WAIT P50 ms",
            "WAIT P99 ms",
            "P50 ms",
            "P99 ms"));
    for (Priority p : Priority.values()) {
      if (s.classes().containsKey(p.wire())) {
        ClassSummary c = s.of(p);
        b.append(
            String.format(
                Locale.ROOT,
                FORMAT,
                "  " + p.wire(),
                c.routed(),
                c.attempts(),
                c.errors(),
                c.waits().p50Ms(),
                c.waits().p99Ms(),
                c.latency().p50Ms(),
                c.latency().p99Ms()));
      }
    }
    return b.toString();
  }
}
