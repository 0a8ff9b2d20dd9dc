package io.switchboard.router.aggregator;

import io.switchboard.router.aggregator.internal.Aggregate;
import io.switchboard.router.aggregator.internal.Contribution;
import io.switchboard.router.selection.ExpectedShares;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.MetricsSummary.Scope;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.ReplyTopics;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.LiveConfig;
import io.switchboard.schemas.json.JsonSerde;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Builds the metrics aggregation topology from config. Pure: no I/O, no threads.
 *
 * <p>Inputs: attempt events (metrics topic, and in replies the attempt of the call that answered),
 * routing decisions (dispatch topic) and final replies (every allowed reply topic, by pattern).
 * Each record is timed by its own event time ({@code at}, {@code routed_at}, {@code created_at})
 * and adds to three summaries: all traffic, its model name and its deployment. Each summary is kept
 * per one-minute tumbling window and as a running total, and every change is published to the
 * summaries topic under {@link MetricsSummary#key()}.
 */
public final class MetricsTopology {
  /** The window length of windowed summaries. */
  public static final Duration WINDOW = Duration.ofMinutes(1);

  /**
   * How late an event may arrive and still count in its window (it always counts in the totals).
   */
  public static final Duration GRACE = Duration.ofMinutes(5);

  public static final String TOTALS_STORE = "metrics-totals";
  public static final String WINDOWS_STORE = "metrics-windows";
  static final String REPARTITION = "metrics-contributions";

  private MetricsTopology() {}

  /**
   * The topology for {@code config}.
   *
   * @param clock stamps {@code updated_at} of summaries
   */
  public static Topology build(SwitchboardConfig config, Clock clock) {
    return build(new LiveConfig(config), clock);
  }

  /**
   * The topology for the live configuration: expected shares are those of the version in force when
   * a routing decision is counted; everything else comes from version 0, the start-up config.
   *
   * @param clock stamps {@code updated_at} of summaries
   */
  public static Topology build(LiveConfig live, Clock clock) {
    SwitchboardConfig config = live.current().config();
    Topics topics = new Topics(config.topics());
    Topic<String, AttemptEvent> metrics = topics.metrics();
    Topic<String, Dispatch> dispatch = topics.dispatch();
    Topic<String, MetricsSummary> summaries = topics.summaries();
    JsonSerde<RouteReply> replySerde = new JsonSerde<>(RouteReply.class);
    JsonSerde<Contribution> contributionSerde = new JsonSerde<>(Contribution.class);
    JsonSerde<Aggregate> aggregateSerde = new JsonSerde<>(Aggregate.class);

    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, Contribution> attempts =
        builder.stream(
                metrics.name(),
                Consumed.with(metrics.keySerde(), metrics.valueSerde())
                    .withTimestampExtractor(eventTime(AttemptEvent.class, AttemptEvent::at))
                    .withName("attempt-events"))
            .flatMap((key, a) -> spread(Contribution.of(a), a.modelName(), a.deploymentId()));
    KStream<String, Contribution> routes =
        builder.stream(
                dispatch.name(),
                Consumed.with(dispatch.keySerde(), dispatch.valueSerde())
                    .withTimestampExtractor(eventTime(Dispatch.class, Dispatch::routedAt))
                    .withName("routing-decisions"))
            .flatMap(
                (key, d) ->
                    spread(
                        Contribution.of(
                            d, d.hop() == 0 ? ExpectedShares.of(live.current().config(), d) : null),
                        d.modelName(),
                        d.deploymentId()));
    KStream<String, Contribution> replies =
        builder.stream(
                replyTopics(config),
                Consumed.with(Serdes.String(), replySerde)
                    .withTimestampExtractor(eventTime(RouteReply.class, RouteReply::createdAt))
                    .withName("final-replies"))
            .processValues(ReplyParts::new, Named.as("reply-parts"))
            .flatMap((key, parts) -> parts);

    KGroupedStream<String, Contribution> grouped =
        attempts
            .merge(routes)
            .merge(replies)
            .groupByKey(Grouped.with(REPARTITION, Serdes.String(), contributionSerde));

    grouped
        .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW, GRACE))
        .aggregate(
            () -> Aggregate.EMPTY,
            (key, c, agg) -> agg.plus(c),
            Materialized.<String, Aggregate, WindowStore<Bytes, byte[]>>as(WINDOWS_STORE)
                .withKeySerde(Serdes.String())
                .withValueSerde(aggregateSerde))
        .toStream()
        .map(
            (window, agg) -> {
              Instant start = window.window().startTime();
              MetricsSummary s =
                  summary(window.key(), agg, start, window.window().endTime(), clock);
              return KeyValue.pair(s.key(), s);
            })
        .to(
            summaries.name(),
            Produced.with(summaries.keySerde(), summaries.valueSerde())
                .withName("window-summaries"));

    grouped
        .aggregate(
            () -> Aggregate.EMPTY,
            (key, c, agg) -> agg.plus(c),
            Materialized.<String, Aggregate, KeyValueStore<Bytes, byte[]>>as(TOTALS_STORE)
                .withKeySerde(Serdes.String())
                .withValueSerde(aggregateSerde))
        .toStream()
        .map(
            (key, agg) -> {
              MetricsSummary s = summary(key, agg, null, null, clock);
              return KeyValue.pair(s.key(), s);
            })
        .to(
            summaries.name(),
            Produced.with(summaries.keySerde(), summaries.valueSerde())
                .withName("total-summaries"));
    return builder.build();
  }

  /**
   * A reply's contributions: the reply's own, and the attempt event of its last call when the
   * worker put that in the reply instead of on the metrics topic ({@link
   * RouteReply#LAST_ATTEMPT_HEADER}), timed like the reply, which was written when the call ended.
   */
  private static final class ReplyParts
      implements FixedKeyProcessor<String, RouteReply, List<KeyValue<String, Contribution>>> {
    private FixedKeyProcessorContext<String, List<KeyValue<String, Contribution>>> context;

    @Override
    public void init(FixedKeyProcessorContext<String, List<KeyValue<String, Contribution>>> c) {
      this.context = c;
    }

    @Override
    public void process(FixedKeyRecord<String, RouteReply> record) {
      RouteReply r = record.value();
      List<KeyValue<String, Contribution>> parts =
          new ArrayList<>(spread(Contribution.of(r), r.modelName(), r.deploymentId()));
      Header header = record.headers().lastHeader(RouteReply.LAST_ATTEMPT_HEADER);
      if (header != null
          && RouteReply.ATTEMPT_IN_REPLY.equals(new String(header.value(), StandardCharsets.UTF_8))
          && !r.attempts().isEmpty()) {
        AttemptEvent last = r.attempts().get(r.attempts().size() - 1);
        parts.addAll(spread(Contribution.of(last), last.modelName(), last.deploymentId()));
      }
      context.forward(record.withValue(parts));
    }
  }

  /** One contribution under the keys of scope all, its model name and its deployment. */
  private static List<KeyValue<String, Contribution>> spread(
      Contribution c, String modelName, String deploymentId) {
    List<KeyValue<String, Contribution>> out = new ArrayList<>(3);
    Contribution plain = c.withoutExpected();
    out.add(KeyValue.pair(MetricsSummary.key(Scope.ALL, MetricsSummary.ALL, null), plain));
    if (modelName != null) {
      out.add(KeyValue.pair(MetricsSummary.key(Scope.MODEL, modelName, null), c));
    }
    if (deploymentId != null) {
      out.add(KeyValue.pair(MetricsSummary.key(Scope.DEPLOYMENT, deploymentId, null), plain));
    }
    return out;
  }

  private static MetricsSummary summary(
      String key, Aggregate agg, Instant start, Instant end, Clock clock) {
    int slash = key.indexOf('/');
    Scope scope = Scope.valueOf(key.substring(0, slash).toUpperCase(java.util.Locale.ROOT));
    return agg.toSummary(scope, key.substring(slash + 1), start, end, clock.instant());
  }

  /** Every allowed reply topic: exact names, and prefixes for entries ending in {@code *}. */
  static Pattern replyTopics(SwitchboardConfig config) {
    List<String> allowed = new ArrayList<>(config.replyTopics());
    allowed.add(config.topics().replies());
    return ReplyTopics.pattern(allowed);
  }

  /** Reads the event time a record carries; falls back to the record's own timestamp. */
  private static <V> TimestampExtractor eventTime(
      Class<V> type, java.util.function.Function<V, Instant> time) {
    return (record, partitionTime) -> {
      if (type.isInstance(record.value())) {
        Instant at = time.apply(type.cast(record.value()));
        if (at != null) {
          return at.toEpochMilli();
        }
      }
      return record.timestamp() >= 0 ? record.timestamp() : partitionTime;
    };
  }
}
