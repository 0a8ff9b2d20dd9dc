package io.switchboard.sandbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.ConfigException;
import io.switchboard.schemas.config.HttpVersionChoice;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The bench's long-call mode: provider calls of seconds, many thousands of them in flight, as a
 * worker meets them with slow models. The built-in config was made for calls of milliseconds: its
 * call timeout (30 s) would end a 30 s call, and its lane windows (4,000 calls each, 24,000 in all)
 * would cap the calls in flight. From {@link #FROM_LATENCY_MS} on, the bench sets them from the
 * load instead: each call's timeout at twice the latency plus {@link #TIMEOUT_MARGIN}, every lane's
 * window at the whole closed loop, the wait for the last replies above the call timeout; and the
 * mock provider and the worker speak HTTP/2 (h2c), many calls to one connection, as to the hosted
 * providers. A config given with {@code --config} is used as it is.
 *
 * @param latencyMs the mock provider's latency
 * @param callTimeoutMs each call's time limit ({@code router_settings.timeout_ms})
 * @param laneWindow each lane's window ({@code worker_settings.max_in_flight_per_lane})
 * @param drainSeconds how long the bench waits for the last replies
 */
public record LongCalls(long latencyMs, long callTimeoutMs, int laneWindow, int drainSeconds) {
  /** The least mock latency that makes the bench's calls long. */
  public static final long FROM_LATENCY_MS = 3_000;

  /** Above twice the latency, the call timeout has this much more. */
  public static final Duration TIMEOUT_MARGIN = Duration.ofSeconds(10);

  /**
   * The long-call settings for calls of {@code latencyMs} with {@code inFlight} outstanding, or
   * null when the calls are short and the built-in config holds.
   *
   * @param drainSeconds the wait for the last replies asked for; kept when longer
   */
  public static LongCalls of(long latencyMs, int inFlight, int drainSeconds) {
    if (latencyMs < FROM_LATENCY_MS) {
      return null;
    }
    long timeout = 2 * latencyMs + TIMEOUT_MARGIN.toMillis();
    int drain = (int) Math.max(drainSeconds, Duration.ofMillis(2 * timeout).toSeconds());
    return new LongCalls(latencyMs, timeout, Math.max(inFlight, 1), drain);
  }

  /**
   * The built-in config with this mode's settings: call timeout, lane windows, HTTP/2. A copy
   * through the config's JSON form, so that the sections' other keys stay as they are.
   */
  public UnaryOperator<SwitchboardConfig> adjust() {
    return config -> {
      ObjectNode tree = (ObjectNode) Json.tree(config);
      tree.with("router_settings").put("timeout_ms", callTimeoutMs);
      ObjectNode worker = tree.with("worker_settings");
      worker.put("max_in_flight_per_lane", laneWindow);
      worker.put("http_version", HttpVersionChoice.HTTP2.wire());
      return fromTree(tree);
    };
  }

  /**
   * {@code config} with the worker speaking HTTP/2 (h2c) to the mock provider, which then speaks
   * nothing else.
   *
   * @throws ConfigException when the config asks for HTTP/1.1
   */
  public static SwitchboardConfig http2(SwitchboardConfig config) {
    if (config.workerSettings().httpVersion() == HttpVersionChoice.HTTP1) {
      throw new ConfigException(
          "--http2: the mock provider speaks HTTP/2 only, and the config sets"
              + " worker_settings.http_version: http1; leave it out or set http2");
    }
    ObjectNode tree = (ObjectNode) Json.tree(config);
    tree.with("worker_settings").put("http_version", HttpVersionChoice.HTTP2.wire());
    return fromTree(tree);
  }

  private static SwitchboardConfig fromTree(ObjectNode tree) {
    try {
      return Json.mapper().treeToValue((JsonNode) tree, SwitchboardConfig.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigException("the bench's settings do not fit the config: " + e);
    }
  }

  /** The line the bench prints, so that a reader knows the run is not on the built-in settings. */
  public String describe() {
    return String.format(
        "long calls (mock latency %d ms >= %d ms): call timeout %d ms, lane windows %d calls, "
            + "HTTP/2 (h2c) to the mock provider, replies awaited for up to %d s",
        latencyMs, FROM_LATENCY_MS, callTimeoutMs, laneWindow, drainSeconds);
  }
}
