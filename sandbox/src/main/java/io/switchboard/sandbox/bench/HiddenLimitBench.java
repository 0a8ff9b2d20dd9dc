package io.switchboard.sandbox.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.testkit.mock.Call;
import io.switchboard.testkit.mock.MockProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A provider limit the config does not know: the mock admits {@code realRpm} calls in any 60 s to a
 * deployment configured with a higher {@code rpm}, and raises it to {@code raisedRpm} after {@code
 * riseAfter}. Requests come at a steady rate above both, for as long as the run lasts; everything
 * is measured at the mock, in the provider's own terms: the calls it saw, the 429s it answered, the
 * calls it admitted.
 */
public final class HiddenLimitBench {
  /** How long learning may take before the limit is held to the targets: a minute. */
  public static final Duration SETTLE = Duration.ofSeconds(60);

  /** How finely the admitted rate is followed after the rise: seconds of a rolling window. */
  static final int FOLLOW_WINDOW_SECONDS = 10;

  /** The step of the timeline. */
  public static final int TIMELINE_SECONDS = 10;

  /**
   * @param deploymentId the deployment the requests go to (its model is what they name)
   * @param realRpm calls the mock admits in any 60 s at first
   * @param raisedRpm calls it admits after {@code riseAfter}
   * @param riseAfter when the limit rises, from the first request
   * @param afterRise how long the run goes on after the rise
   * @param headers whether the mock announces its window in rate-limit headers
   * @param latency the mock's latency per admitted call
   * @param settle how long learning may take before the limit is held to the targets ({@link
   *     #SETTLE}; shorter for a quick check of header-driven learning)
   */
  public record Options(
      String deploymentId,
      int realRpm,
      int raisedRpm,
      Duration riseAfter,
      Duration afterRise,
      boolean headers,
      Duration latency,
      Duration settle) {
    public Options {
      Objects.requireNonNull(deploymentId, "deploymentId");
      if (realRpm < 1 || raisedRpm < 1) {
        throw new IllegalArgumentException(
            "the real and raised rpm must be >= 1, were " + realRpm + " and " + raisedRpm);
      }
      if (riseAfter.compareTo(settle) <= 0) {
        throw new IllegalArgumentException(
            "the rise must come after the "
                + settle.toSeconds()
                + " s of learning, was "
                + riseAfter);
      }
    }

    /** Options with the full minute of learning ({@link #SETTLE}). */
    public Options(
        String deploymentId,
        int realRpm,
        int raisedRpm,
        Duration riseAfter,
        Duration afterRise,
        boolean headers,
        Duration latency) {
      this(deploymentId, realRpm, raisedRpm, riseAfter, afterRise, headers, latency, SETTLE);
    }
  }

  /**
   * What the mock saw.
   *
   * @param configuredRpm the deployment's configured rpm
   * @param offeredPerMinute requests sent per minute
   * @param calls calls the mock saw in all
   * @param settledCalls calls from the end of learning ({@link Options#settle}) to the rise
   * @param settledLimitedShare the share of those answered 429
   * @param settledAdmittedPerMinute calls admitted per minute from the end of learning to the rise
   * @param raisedCalls calls from a minute after the rise to the end
   * @param raisedLimitedShare the share of those answered 429
   * @param raisedAdmittedPerMinute calls admitted per minute from a minute after the rise to the
   *     end
   * @param followSeconds seconds from the rise until the admitted rate over {@value
   *     #FOLLOW_WINDOW_SECONDS} s first reached 90% of the raised limit; -1 when it never did
   * @param timeline per {@value #TIMELINE_SECONDS} s from the start: calls, 429s, admitted calls
   */
  public record Result(
      Options options,
      int configuredRpm,
      double offeredPerMinute,
      int calls,
      int settledCalls,
      double settledLimitedShare,
      double settledAdmittedPerMinute,
      int raisedCalls,
      double raisedLimitedShare,
      double raisedAdmittedPerMinute,
      int followSeconds,
      List<int[]> timeline) {

    /** Admitted calls per minute from the end of learning to the rise, as a share of the limit. */
    public double settledThroughputShare() {
      return settledAdmittedPerMinute / options.realRpm();
    }

    /** Admitted calls per minute after the rise's first minute, as a share of the raised limit. */
    public double raisedThroughputShare() {
      return raisedAdmittedPerMinute / options.raisedRpm();
    }
  }

  private HiddenLimitBench() {}

  /**
   * Runs the scenario against a started stack whose mock serves {@code options.deploymentId()}:
   * sets the mock's real limit, sends requests for the deployment's model at 1.1 times its
   * configured rpm, raises the limit, and measures.
   */
  public static Result run(SwitchboardConfig config, MockProvider mock, Options options) {
    DeploymentConfig deployment =
        config
            .deployment(options.deploymentId())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "deployment '" + options.deploymentId() + "' is not in the config"));
    if (deployment.rpm() == null) {
      throw new IllegalArgumentException(
          "deployment '" + options.deploymentId() + "' needs an rpm for a hidden limit below it");
    }
    Behavior behavior =
        mock.behaviorOf(options.deploymentId())
            .withLatencyMs(options.latency().toMillis())
            .withRateLimitHeaders(options.headers());
    mock.keepRequestIds(false);
    mock.behave(options.deploymentId(), behavior.withRpm(options.realRpm()));
    double perSecond = deployment.rpm() * 1.1 / 60;
    Topics topics = new Topics(config.topics());
    Properties props = new Properties();
    props.putAll(config.kafka());
    long startNanos = System.nanoTime();
    Instant start = Instant.now();
    long riseNanos = startNanos + options.riseAfter().toNanos();
    long endNanos = riseNanos + options.afterRise().toNanos();
    boolean raised = false;
    ObjectNode body =
        (ObjectNode)
            Json.parse(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":8}");
    try (KafkaProducer<String, RouteRequest> producer =
        new KafkaProducer<>(
            props, new StringSerializer(), topics.requests().valueSerde().serializer())) {
      for (long i = 0; ; i++) {
        long due = startNanos + (long) (i * 1e9 / perSecond);
        if (due >= endNanos) {
          break;
        }
        if (!raised && due >= riseNanos) {
          LockSupport.parkNanos(riseNanos - System.nanoTime());
          mock.behave(options.deploymentId(), behavior.withRpm(options.raisedRpm()));
          raised = true;
        }
        LockSupport.parkNanos(due - System.nanoTime());
        String id = "hidden-" + i;
        producer.send(
            new ProducerRecord<>(
                topics.requests().name(),
                id,
                RouteRequest.of(id, deployment.modelName(), body.deepCopy())));
      }
    }
    LockSupport.parkNanos(endNanos - System.nanoTime());
    return measure(
        mock.calls(options.deploymentId()), start, options, deployment.rpm(), perSecond * 60);
  }

  /** The figures of the calls the mock logged, the run having started at {@code start}. */
  static Result measure(
      List<Call> calls, Instant start, Options options, int configuredRpm, double offered) {
    Instant settled = start.plus(options.settle());
    Instant rise = start.plus(options.riseAfter());
    Instant raisedFrom = rise.plus(Duration.ofMinutes(1));
    Instant end = rise.plus(options.afterRise());
    // Whole minutes: a sliding 60 s limit bounds any minute, not a shorter or longer span.
    Window before = Window.of(calls, settled, wholeMinutes(settled, rise));
    Window after = Window.of(calls, raisedFrom, wholeMinutes(raisedFrom, end));
    return new Result(
        options,
        configuredRpm,
        offered,
        calls.size(),
        before.calls,
        before.limitedShare(),
        before.admittedPerMinute(),
        after.calls,
        after.limitedShare(),
        after.admittedPerMinute(),
        followSeconds(calls, rise, end, options.raisedRpm()),
        timeline(calls, start, end));
  }

  /** The end of the whole minutes from {@code from} to {@code to}; {@code to} when none fits. */
  private static Instant wholeMinutes(Instant from, Instant to) {
    long minutes = Duration.between(from, to).toMinutes();
    return minutes < 1 ? to : from.plus(Duration.ofMinutes(minutes));
  }

  /** Calls, 429s and admitted calls per {@value #TIMELINE_SECONDS} s, from the start. */
  private static List<int[]> timeline(List<Call> calls, Instant start, Instant end) {
    List<int[]> rows = new java.util.ArrayList<>();
    for (Instant from = start; from.isBefore(end); from = from.plusSeconds(TIMELINE_SECONDS)) {
      Window w = Window.of(calls, from, from.plusSeconds(TIMELINE_SECONDS));
      rows.add(new int[] {w.calls, w.limited, w.admitted});
    }
    return rows;
  }

  private static int followSeconds(List<Call> calls, Instant rise, Instant end, int raisedRpm) {
    double needed = 0.9 * raisedRpm * FOLLOW_WINDOW_SECONDS / 60.0;
    for (Instant from = rise;
        !from.plusSeconds(FOLLOW_WINDOW_SECONDS).isAfter(end);
        from = from.plusSeconds(1)) {
      if (Window.of(calls, from, from.plusSeconds(FOLLOW_WINDOW_SECONDS)).admitted >= needed) {
        return (int) Duration.between(rise, from.plusSeconds(FOLLOW_WINDOW_SECONDS)).toSeconds();
      }
    }
    return -1;
  }

  /** The calls in {@code [from, to)}. */
  private record Window(int calls, int limited, int admitted, Duration length) {
    static Window of(List<Call> all, Instant from, Instant to) {
      int calls = 0;
      int limited = 0;
      int admitted = 0;
      for (Call c : all) {
        if (!c.at().isBefore(from) && c.at().isBefore(to)) {
          calls++;
          if (c.status() == 429) {
            limited++;
          } else if (c.succeeded()) {
            admitted++;
          }
        }
      }
      return new Window(calls, limited, admitted, Duration.between(from, to));
    }

    double limitedShare() {
      return calls == 0 ? 0 : (double) limited / calls;
    }

    double admittedPerMinute() {
      return admitted * 60_000.0 / Math.max(1, length.toMillis());
    }
  }
}
