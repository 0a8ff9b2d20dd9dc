package io.switchboard.client.batch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per model (model name and deployment) totals of a batch's output, read from the {@code
 * switchboard} field of its lines.
 */
public final class Summary {
  private final Map<String, Row> rows = new TreeMap<>();
  private long ok;
  private long failed;

  private static final class Row {
    long requests;
    long ok;
    long failed;
    long tokensIn;
    long tokensOut;
    double cost;
  }

  /**
   * Counts one output line by its {@code switchboard} field (missing: counted as failed, model
   * unknown).
   */
  public synchronized void add(JsonNode switchboard) {
    JsonNode s =
        switchboard == null
            ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
            : switchboard;
    String model = text(s.get("model_name"));
    String deployment = text(s.get("deployment_id"));
    Row row = rows.computeIfAbsent(model + " / " + deployment, k -> new Row());
    row.requests++;
    if ("ok".equals(s.path("status").asText())) {
      row.ok++;
      ok++;
    } else {
      row.failed++;
      failed++;
    }
    row.tokensIn += s.path("tokens_in").asLong(0);
    row.tokensOut += s.path("tokens_out").asLong(0);
    row.cost += s.path("cost_usd").asDouble(0);
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() || n.asText().isEmpty() ? "-" : n.asText();
  }

  public synchronized long ok() {
    return ok;
  }

  public synchronized long failed() {
    return failed;
  }

  /** Prints the table: one row per model / deployment and a total. */
  public synchronized void print(PrintStream out) {
    int width = Math.max(24, rows.keySet().stream().mapToInt(String::length).max().orElse(0));
    String format = "%-" + width + "s %9s %9s %9s %12s %12s %12s%n";
    out.printf(
        Locale.ROOT,
        format,
        "model / deployment",
        "requests",
        "ok",
        "failed",
        "tokens in",
        "tokens out",
        "cost usd");
    Row total = new Row();
    rows.forEach(
        (key, r) -> {
          print(out, format, key, r);
          total.requests += r.requests;
          total.ok += r.ok;
          total.failed += r.failed;
          total.tokensIn += r.tokensIn;
          total.tokensOut += r.tokensOut;
          total.cost += r.cost;
        });
    print(out, format, "total", total);
  }

  private static void print(PrintStream out, String format, String key, Row r) {
    out.printf(
        Locale.ROOT,
        format,
        key,
        r.requests,
        r.ok,
        r.failed,
        r.tokensIn,
        r.tokensOut,
        String.format(Locale.ROOT, "%.6f", r.cost));
  }
}
