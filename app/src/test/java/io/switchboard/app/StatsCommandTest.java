package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code stats} live: screen codes on a terminal only; into a pipe or a file, one snapshot after
 * another.
 */
class StatsCommandTest {
  static String refresh(boolean json, boolean terminal) {
    StatsCommand stats = new StatsCommand();
    stats.json = json;
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      stats.refresh(out, Map.of(), terminal);
      stats.refresh(out, Map.of(), terminal);
    }
    return text.toString();
  }

  @Test
  void onATerminalEachRefreshClearsTheScreen() {
    String screen = refresh(false, true);
    assertThat(screen).startsWith(StatsCommand.CLEAR_SCREEN);
    assertThat(screen.split(java.util.regex.Pattern.quote(StatsCommand.CLEAR_SCREEN), -1))
        .hasSize(3);
  }

  @Test
  void intoAPipeOrFileTheSnapshotsFollowOneAnotherWithoutEscapeCodes() {
    String piped = refresh(false, false);
    assertThat(piped).doesNotContain("\033");
    assertThat(piped.split("Switchboard stats at ", -1)).hasSize(3);
    assertThat(piped).contains("\n\nSwitchboard stats at ");
    assertThat(refresh(true, true)).doesNotContain("\033").hasLineCount(2);
  }

  /** Totals of all traffic with two classes, as the aggregator writes them. */
  static final String ALL_BY_CLASS =
      """
      {"type":"summary","scope":"all","name":"*","routed":130,"rerouted":0,"attempts":131,\
      "successes":130,"errors":1,"retries":1,"fallbacks":0,"outcomes":{"RETRY":1,"SUCCESS":130},\
      "http_status":{"2xx":130,"5xx":1},"replies":130,"expired":0,"reply_errors":{},\
      "latency":{"count":131,"p50_ms":48,"p95_ms":77,"p99_ms":80,"max_ms":81,"mean_ms":50.2},\
      "tokens_in":10,"tokens_out":5,"cost_usd":0.25,"shares":[],"updated_at":"2026-11-22T10:01:59Z",\
      "classes":{"batch":{"routed":100,"attempts":101,"successes":100,"errors":1,\
      "waits":{"count":100,"p50_ms":41000,"p95_ms":57000,"p99_ms":58000,"max_ms":58100,"mean_ms":38000},\
      "latency":{"count":101,"p50_ms":49,"p95_ms":77,"p99_ms":80,"max_ms":81,"mean_ms":50.4}},\
      "interactive":{"routed":30,"attempts":30,"successes":30,"errors":0,\
      "waits":{"count":30,"p50_ms":12,"p95_ms":30,"p99_ms":31,"max_ms":31,"mean_ms":14.1},\
      "latency":{"count":30,"p50_ms":47,"p95_ms":60,"p99_ms":61,"max_ms":61,"mean_ms":49.5}}}}""";

  static String once(boolean json, MetricsSummary... summaries) {
    StatsCommand stats = new StatsCommand();
    stats.json = json;
    Map<String, MetricsSummary> latest = new java.util.HashMap<>();
    for (MetricsSummary s : summaries) {
      latest.put(s.key(), s);
    }
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      stats.refresh(out, latest, false);
    }
    return text.toString();
  }

  @Test
  void theTableShowsRequestsWaitsAndLatencyByClassHighestFirst() {
    String table = once(false, Json.read(ALL_BY_CLASS, MetricsSummary.class));
    assertThat(table).contains("BY CLASS").contains("WAIT P50 ms").contains("WAIT P99 ms");
    String[] lines = table.split("\n");
    String interactive =
        java.util.Arrays.stream(lines)
            .filter(l -> l.startsWith("  interactive"))
            .findFirst()
            .orElseThrow();
    String batch =
        java.util.Arrays.stream(lines)
            .filter(l -> l.startsWith("  batch"))
            .findFirst()
            .orElseThrow();
    assertThat(interactive.trim().split("\\s+"))
        .containsExactly("interactive", "30", "30", "0", "12", "31", "47", "61");
    assertThat(batch.trim().split("\\s+"))
        .containsExactly("batch", "100", "101", "1", "41000", "58000", "49", "80");
    assertThat(table.indexOf("  interactive")).isLessThan(table.indexOf("  batch"));
    assertThat(table).doesNotContain("  default");
  }

  @Test
  void theJsonCarriesTheClassesAndASummaryWithoutClassesShowsNone() {
    JsonNode all =
        Json.parse(once(true, Json.read(ALL_BY_CLASS, MetricsSummary.class))).path("all");
    assertThat(all.path("classes").path("interactive").path("wait_p99_ms").asLong()).isEqualTo(31);
    assertThat(all.path("classes").path("batch").path("routed").asLong()).isEqualTo(100);
    assertThat(all.path("classes").path("batch").path("wait_max_ms").asLong()).isEqualTo(58100);
    MetricsSummary old =
        Json.read(
            ALL_BY_CLASS.substring(0, ALL_BY_CLASS.indexOf(",\"classes\"")) + "}",
            MetricsSummary.class);
    assertThat(old.classes()).isEmpty();
    assertThat(once(false, old)).doesNotContain("BY CLASS");
  }
}
