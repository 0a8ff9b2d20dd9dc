package io.switchboard.router.internal;

import io.switchboard.router.metrics.RouterMetrics;
import io.switchboard.router.selection.CandidateSet;
import io.switchboard.router.selection.Candidates;
import io.switchboard.router.selection.Chains;
import io.switchboard.router.selection.Decision;
import io.switchboard.router.selection.Selector;
import io.switchboard.router.selection.TokenEstimator;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.LiveConfig;
import io.switchboard.schemas.json.Causes;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.LanePlan;
import io.switchboard.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Routes new requests (raw bytes from the requests topic) and hand-offs (dispatches a worker
 * returned on the fallbacks topic). Every input ends in exactly one of: a dispatch on a
 * deployment's lane, a reply (error or expired; for exhausted chains also a dead-letter copy), a
 * dead letter alone (no id to reply to), or a hold in the hold store, which a wall-clock punctuator
 * releases into one of the others.
 *
 * <p>The routing rules come from the live configuration ({@link LiveConfig}): between two records
 * (or ticks) the task moves to the version in force, if it changed, with a new {@link Selector}
 * over the same stores and the rotation counts cleared. Budget windows live in the budget store by
 * deployment id, so those of the deployments that stay carry on; clearing the rotations makes the
 * split of the requests routed after the switch exact from the first one. Every dispatch and reply
 * carries the version it was decided by.
 */
public final class RoutingProcessor implements Processor<String, byte[], String, Object> {
  private final RouterMetrics metrics;

  /** How often held requests and idle budgets are looked at (wall-clock time). */
  public static final Duration TICK = Duration.ofSeconds(1);

  private final LiveConfig live;
  private final LanePlans plans;
  private final Clock clock;
  private final TokenEstimator tokens;
  private final String fallbacksTopic;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, Held> held;
  private KeyValueStore<String, long[]> rotations;
  private KeyValueStore<String, long[]> budgets;
  private ReadOnlyKeyValueStore<String, byte[]> health;

  /** The config version this task routes by, and what it is built into; -1 before init. */
  private long version = -1;

  private SwitchboardConfig config;
  private RequestReader reader;
  private Selector selector;
  private TokenEstimator estimator;

  /**
   * Timestamp of the records written now: the input record's, or Streams' wall-clock time in a
   * punctuation. Never the injected clock's, which may be far from the broker's time.
   */
  private long outputTimestamp;

  /** A processor routing by {@code config} alone. */
  public RoutingProcessor(
      SwitchboardConfig config, Clock clock, TokenEstimator tokens, RouterMetrics metrics) {
    this(new LiveConfig(config), new LanePlans(LanePlan.of(config)), clock, tokens, metrics);
  }

  /**
   * A processor routing by the version of {@code live} in force.
   *
   * @param plans where the lane plan of each version it routes by is registered, for the dispatch
   *     sink's partitioner
   */
  public RoutingProcessor(
      LiveConfig live, LanePlans plans, Clock clock, TokenEstimator tokens, RouterMetrics metrics) {
    this.metrics = metrics;
    this.live = live;
    this.plans = plans;
    this.clock = clock;
    this.tokens = tokens;
    this.fallbacksTopic = new Topics(live.current().config().topics()).fallbacks().name();
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.held = context.getStateStore(TopologyNames.HOLD_STORE);
    this.rotations = context.getStateStore(TopologyNames.ROTATION_STORE);
    this.budgets = context.getStateStore(TopologyNames.BUDGET_STORE);
    this.health = context.getStateStore(TopologyNames.HEALTH_STORE);
    refresh();
    context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, ignored -> tick());
  }

  /**
   * Moves the task to the config version in force when it changed. At init the restored rotation
   * counts are kept: they are this version's, or keyed by other weights.
   */
  private void refresh() {
    LiveConfig.Version current = live.current();
    if (current.number() == version) {
      return;
    }
    boolean switching = version >= 0;
    config = current.config();
    reader = new RequestReader(config);
    plans.register(current.number(), LanePlan.of(config));
    selector = new Selector(config, rotations, budgets, health, context.taskId().partition());
    estimator = tokens.forConfig(config);
    if (switching) {
      List<String> keys = new ArrayList<>();
      try (var it = rotations.all()) {
        it.forEachRemaining(kv -> keys.add(kv.key));
      }
      keys.forEach(rotations::delete);
    }
    version = current.number();
  }

  @Override
  public void process(Record<String, byte[]> record) {
    refresh();
    Instant now = clock.instant();
    outputTimestamp = record.timestamp();
    RecordMetadata meta = context.recordMetadata().orElse(null);
    Source source =
        meta == null ? Source.NONE : new Source(meta.topic(), meta.partition(), meta.offset());
    if (fallbacksTopic.equals(source.topic())) {
      onHandoff(record.value(), source, now);
    } else {
      onRequest(record.value(), source, now);
    }
  }

  private void onRequest(byte[] value, Source source, Instant now) {
    RequestReader.Read read = reader.read(value);
    if (read.rejection() != null) {
      Rejection r = read.rejection();
      if (r.requestId() != null) {
        reply(
            r.requestId(),
            read.replyTopic(),
            RouteReply.rejected(r.requestId(), r.error(), null, now));
      }
      if (r.deadLetter()) {
        deadLetter(r.error(), r.requestId(), value, List.of(), source, now);
      }
      return;
    }
    routeRequest(read.request().withReplyTo(read.replyTopic()), now, value, source, now);
  }

  private void routeRequest(
      RouteRequest request, Instant receivedAt, byte[] original, Source source, Instant now) {
    if (expired(request.deadline(), now)) {
      reply(
          request.id(),
          request.replyTo(),
          RouteReply.rejected(
              request.id(),
              new ReplyError(
                  ErrorCode.DEADLINE_EXCEEDED,
                  "deadline " + request.deadline() + " passed before dispatch",
                  "/deadline"),
              request.metadata(),
              now));
      return;
    }
    Candidates.Resolution resolution = Candidates.forRequest(request, config);
    if (resolution.error() != null) {
      reply(
          request.id(),
          request.replyTo(),
          RouteReply.rejected(request.id(), resolution.error(), request.metadata(), now));
      return;
    }
    int estimate = estimator.estimate(request.body());
    Decision decision =
        selector.decide(
            resolution.set(),
            Outcome.FALLBACK,
            resolution.chains(),
            Set.of(),
            0,
            estimate,
            request.priority(),
            now);
    apply(decision, request, estimate, List.of(), receivedAt, null, original, source, now);
  }

  private void onHandoff(byte[] value, Source source, Instant now) {
    Dispatch handoff;
    try {
      handoff = Json.read(value, Dispatch.class);
    } catch (RuntimeException e) {
      Throwable root = Causes.root(e);
      deadLetter(
          new ReplyError(
              ErrorCode.MALFORMED_JSON,
              "hand-off record on '" + source.topic() + "' is not a dispatch: " + root.getMessage(),
              null),
          null,
          value,
          List.of(),
          source,
          now);
      return;
    }
    routeHandoff(handoff, value, source, now);
  }

  private void routeHandoff(Dispatch handoff, byte[] original, Source source, Instant now) {
    RouteRequest request = handoff.request().withReplyTo(replyTopic(handoff.request()));
    if (expired(request.deadline(), now)) {
      finalReply(
          request,
          ReplyStatus.EXPIRED,
          new ReplyError(
              ErrorCode.DEADLINE_EXCEEDED,
              "deadline " + request.deadline() + " passed before the next fallback",
              "/deadline"),
          handoff.deploymentId(),
          handoff.modelName(),
          handoff.attempts(),
          handoff.receivedAt(),
          now);
      return;
    }
    Outcome chain = handoff.handoff() == null ? Outcome.FALLBACK : handoff.handoff().reason();
    Set<String> failed = new HashSet<>();
    failed.add(handoff.deploymentId());
    for (AttemptEvent a : handoff.attempts()) {
      if (a.outcome() != Outcome.SUCCESS) {
        failed.add(a.deploymentId());
      }
    }
    int estimate =
        handoff.estimatedTokens() > 0
            ? handoff.estimatedTokens()
            : estimator.estimate(request.body());
    // A deployment that gave up sends the request to the rest of its candidate set first. A
    // context-window or content-policy hand-off does not: the deployments of one alias serve one
    // model behind one filter, so a larger window or another filter is in the chain.
    CandidateSet sameSet =
        chain == Outcome.FALLBACK
            ? Candidates.failover(handoff, failed, config).orElse(null)
            : null;
    Chains chains =
        new Chains(
            handoff.fallbacksRemaining(),
            handoff.contextWindowFallbacksRemaining(),
            handoff.contentPolicyFallbacksRemaining());
    Decision decision =
        selector.decide(
            sameSet, chain, chains, failed, handoff.hop(), estimate, request.priority(), now);
    apply(
        decision,
        request,
        estimate,
        handoff.attempts(),
        handoff.receivedAt(),
        handoff,
        original,
        source,
        now);
  }

  private void apply(
      Decision decision,
      RouteRequest request,
      int estimate,
      List<AttemptEvent> attempts,
      Instant receivedAt,
      Dispatch handoff,
      byte[] original,
      Source source,
      Instant now) {
    if (decision instanceof Decision.Dispatched d) {
      Dispatch dispatch =
          new Dispatch(
              request,
              d.deploymentId(),
              d.modelName(),
              d.hop(),
              estimate,
              d.remaining().fallbacks(),
              d.remaining().contextWindow(),
              d.remaining().contentPolicy(),
              attempts,
              null,
              receivedAt,
              now,
              version);
      context.forward(
          new Record<String, Object>(request.id(), dispatch, outputTimestamp),
          TopologyNames.DISPATCH_SINK);
      metrics.routed(dispatch, d.withinBudget(), handoff != null && d.hop() == handoff.hop());
    } else if (decision instanceof Decision.Held h) {
      Instant until =
          request.deadline() != null && request.deadline().isBefore(h.until())
              ? request.deadline()
              : h.until();
      Held entry =
          new Held(
              until,
              handoff == null ? request : null,
              receivedAt,
              handoff,
              source.topic(),
              source.partition(),
              source.offset());
      held.put(entry.key(), entry);
    } else if (decision instanceof Decision.Exhausted x) {
      String last =
          attempts.isEmpty()
              ? (handoff == null ? null : handoff.deploymentId())
              : attempts.get(attempts.size() - 1).deploymentId();
      ReplyError error = new ReplyError(x.code(), x.message(), null);
      finalReply(
          request, ReplyStatus.ERROR, error, last, x.lastModelName(), attempts, receivedAt, now);
      deadLetter(
          error,
          request.id(),
          original != null ? original : Json.toBytes(handoff != null ? handoff : request),
          attempts,
          source,
          now);
    }
  }

  /**
   * Releases held requests whose time has come, and forgets budgets of which nothing counts any
   * more.
   */
  private void tick() {
    refresh();
    Instant now = clock.instant();
    outputTimestamp = context.currentSystemTimeMs();
    List<Held> due = new ArrayList<>();
    try (var it = held.range(null, Held.keyPrefix(now) + '\uffff')) {
      it.forEachRemaining(kv -> due.add(kv.value));
    }
    for (Held h : due) {
      held.delete(h.key());
      Source source = new Source(h.sourceTopic(), h.sourcePartition(), h.sourceOffset());
      if (h.handoff() != null) {
        routeHandoff(h.handoff(), null, source, now);
      } else {
        routeRequest(h.request(), h.receivedAt(), null, source, now);
      }
    }
    selector.forgetIdleBudgets(now);
  }

  private static boolean expired(Instant deadline, Instant now) {
    return deadline != null && !now.isBefore(deadline);
  }

  private String replyTopic(RouteRequest request) {
    String topic = request.replyTo();
    return topic != null && config.replyTopicAllowed(topic) ? topic : config.topics().replies();
  }

  private void finalReply(
      RouteRequest request,
      ReplyStatus status,
      ReplyError error,
      String deploymentId,
      String modelName,
      List<AttemptEvent> attempts,
      Instant receivedAt,
      Instant now) {
    AttemptEvent lastAttempt = attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    RouteReply reply =
        new RouteReply(
            request.id(),
            status,
            null,
            error,
            deploymentId,
            modelName,
            lastAttempt == null ? null : lastAttempt.model(),
            lastAttempt == null ? null : lastAttempt.provider(),
            attempts,
            Duration.between(receivedAt, now).toMillis(),
            null,
            AttemptEvent.totalCost(attempts),
            request.metadata(),
            now);
    reply(request.id(), replyTopic(request), reply);
  }

  private void reply(String id, String topic, RouteReply reply) {
    if (reply.error() != null) {
      metrics.rejected(reply.error().code());
    }
    context.forward(
        new Record<String, Object>(
            id, new AddressedReply(topic, reply.withConfigVersion(version)), outputTimestamp),
        TopologyNames.REPLY_SINK);
  }

  private void deadLetter(
      ReplyError error,
      String requestId,
      byte[] original,
      List<AttemptEvent> attempts,
      Source source,
      Instant now) {
    DeadLetter letter =
        DeadLetter.of(
            error.code(),
            error.message(),
            source.topic(),
            source.partition(),
            source.offset(),
            requestId,
            original,
            attempts,
            now);
    context.forward(
        new Record<String, Object>(requestId, letter, outputTimestamp),
        TopologyNames.DEAD_LETTER_SINK);
  }
}
