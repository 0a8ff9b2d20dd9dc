package io.switchboard.worker.internal;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.live.LiveConfig;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.worker.health.HealthTracker;
import io.switchboard.worker.pacing.LanePacers;
import io.switchboard.worker.provider.ProviderClient;
import io.switchboard.worker.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's poll loop: the coordinator of the parts that do the work.
 *
 * <p>One thread owns the consumer, the transactional producer and every {@link Lane}. Each turn of
 * the loop reads the fetched dispatches onto their lanes ({@link DispatchReader}), applies what the
 * provider calls reported, starts what the lanes may start ({@link LaneScheduler}), publishes what
 * finished with its offsets in one transaction ({@link TransactionalPublisher}) and pauses the
 * lanes that cannot take more. Provider calls run on the shared asynchronous HTTP client ({@link
 * CallRunner}); their completions are classified on the thread that completes them ({@link
 * CallOutcomes}) and handed back through a concurrent queue, and retries wait on a timer, so no
 * thread is held per call. Partitions are handed over in rebalances by {@link Handover}; {@link
 * OwnedLanes} holds them.
 *
 * <p>When the engine stops, the calls in flight are finished and published first, up to {@code
 * shutdown_grace_ms}, so the next owner does not call the provider again for them.
 *
 * <p>A new version of the live configuration is put in force at the start of a turn, never during
 * one: jobs read from then on get the new deployments, timeouts, retry policy and prices, lanes
 * whose deployment's limits changed get new pacers, and queued jobs of a deployment removed go back
 * to the router ({@link LaneScheduler}). Calls already made finish as they started.
 */
public final class Engine implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  private final SwitchboardConfig config;
  private final LiveConfig live;
  private final Topics topics;
  private final Clock clock;
  private final KafkaConsumer<String, byte[]> consumer;
  private final HealthTracker health;
  private final Outputs outputs;
  private final Duration grace;
  private final RunState state = new RunState();
  private final ConcurrentLinkedQueue<CallEvent> events = new ConcurrentLinkedQueue<>();
  private final OwnedLanes lanes;
  private final DispatchReader reader;
  private final LaneScheduler scheduler;
  private final CallRunner calls;
  private final TransactionalPublisher publisher;
  private final OffloadGroups offload;
  private final Handover handover;
  private final LanePacers pacers;
  private long nextHealthReportMs;

  /** The config version in force here, and its deployment ids. */
  private long configVersion;

  private volatile Set<String> deploymentIds;

  /**
   * @param producers makes a transactional producer (called again when one is fenced or broken);
   *     {@code initTransactions} is called here
   */
  public Engine(
      SwitchboardConfig config,
      Clock clock,
      KafkaConsumer<String, byte[]> consumer,
      Supplier<KafkaProducer<String, byte[]>> producers,
      ProviderClient providers,
      HealthTracker health,
      RetryPolicy retryPolicy,
      ScheduledExecutorService timer) {
    this(config, clock, consumer, producers, providers, health, retryPolicy, timer, attempt -> {});
  }

  /**
   * @param producers makes a transactional producer (called again when one is fenced or broken);
   *     {@code initTransactions} is called here
   * @param onAttempt told of every provider call as it ends (for meters); must not block
   */
  public Engine(
      SwitchboardConfig config,
      Clock clock,
      KafkaConsumer<String, byte[]> consumer,
      Supplier<KafkaProducer<String, byte[]>> producers,
      ProviderClient providers,
      HealthTracker health,
      RetryPolicy retryPolicy,
      ScheduledExecutorService timer,
      Consumer<AttemptEvent> onAttempt) {
    this(
        new LiveConfig(Objects.requireNonNull(config, "config")),
        clock,
        consumer,
        producers,
        providers,
        health,
        retryPolicy,
        timer,
        onAttempt);
  }

  /**
   * An engine working by the live configuration: the version of {@code live} in force now, and each
   * later one from the turn of the loop that sees it.
   *
   * @param producers makes a transactional producer (called again when one is fenced or broken);
   *     {@code initTransactions} is called here
   * @param onAttempt told of every provider call as it ends (for meters); must not block
   */
  public Engine(
      LiveConfig live,
      Clock clock,
      KafkaConsumer<String, byte[]> consumer,
      Supplier<KafkaProducer<String, byte[]>> producers,
      ProviderClient providers,
      HealthTracker health,
      RetryPolicy retryPolicy,
      ScheduledExecutorService timer,
      Consumer<AttemptEvent> onAttempt) {
    this.live = Objects.requireNonNull(live, "live");
    LiveConfig.Version start = live.current();
    SwitchboardConfig config = start.config();
    this.config = config;
    this.configVersion = start.number();
    this.deploymentIds = ids(config);
    this.topics = new Topics(config.topics());
    this.clock = Objects.requireNonNull(clock, "clock");
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.health = Objects.requireNonNull(health, "health");
    this.outputs = new Outputs(config, topics);
    this.grace = Duration.ofMillis(config.workerSettings().shutdownGraceMs());
    this.pacers = new LanePacers(config, health.limits(), clock);
    this.lanes = new OwnedLanes(consumer, pacers, clock, state::running);
    this.reader = new DispatchReader(config, configVersion, outputs);
    this.offload = new OffloadGroups(clock, outputs);
    this.calls =
        new CallRunner(
            providers,
            new CallOutcomes(clock, health, retryPolicy, outputs, onAttempt),
            timer,
            config.routerSettings().timeoutMs(),
            events::add);
    this.scheduler =
        new LaneScheduler(
            config.workerSettings().maxInFlightPerLane(),
            config.workerSettings().batchReadAhead(),
            clock,
            health::cooldownUntil,
            id -> deploymentIds.contains(id),
            outputs,
            calls);
    this.publisher =
        new TransactionalPublisher(
            producers,
            consumer::groupMetadata,
            clock,
            Duration.ofMillis(config.workerSettings().transactionIntervalMs()),
            state::running);
    this.handover =
        new Handover(
            lanes,
            state,
            clock,
            grace,
            new Handover.Work() {
              @Override
              public void turn() {
                handleEvents();
                scheduler.startWork(lanes.all(), state.draining());
                publish();
              }

              @Override
              public void settle() {
                handleEvents();
                offload.flush(lanes.all(), state.draining());
                publish();
              }

              @Override
              public boolean idle() {
                return events.isEmpty();
              }
            });
  }

  /** Makes the first producer and registers its transactional id with the broker. */
  public void init() {
    publisher.init();
  }

  /** Provider calls in progress now. Thread-safe. */
  public int callsInFlight() {
    return calls.inFlight();
  }

  /** Owned partitions paused now (window, pacing or metadata limit). Thread-safe. */
  public int pausedLanes() {
    return lanes.paused();
  }

  /** Partitions owned now. Thread-safe. */
  public int ownedLanes() {
    return lanes.owned();
  }

  /** Asks the loop to stop taking dispatches, drain in-flight calls and exit. */
  public void stop() {
    state.stop();
  }

  /**
   * Asks the loop to exit at once as if the process died between two transactions: nothing more is
   * published or committed, and the consumer stays in the group until its session times out.
   */
  public void abandon() {
    state.abandon();
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topics.dispatch().name()), handover);
      while (state.running()) {
        boolean busy = publisher.pending() || lanes.busy();
        for (ConsumerRecord<String, byte[]> record :
            consumer.poll(Duration.ofMillis(busy ? 5 : 100))) {
          if (state.abandoned()) {
            break;
          }
          accept(record);
        }
        if (state.abandoned()) {
          break;
        }
        step();
      }
      if (!state.abandoned()) {
        drain();
      }
    } catch (WakeupException e) {
      log.info("worker loop woken up to close");
    } catch (RuntimeException e) {
      log.error("worker loop failed; the worker stops taking dispatches", e);
    } finally {
      state.stop(); // closing revokes the partitions: no waiting for calls after a failure
      closeClients();
    }
  }

  private void step() {
    reconfigure();
    handleEvents();
    scheduler.startWork(lanes.all(), state.draining());
    offload.flush(lanes.all(), state.draining());
    reportHealth();
    if (publisher.due()) {
      publish();
    }
    lanes.apply(scheduler.pauses(lanes.all(), state.draining()));
  }

  /**
   * Takes one fetched record: skip it, leave it on the broker, answer it at once, or queue it on
   * its lane.
   */
  private void accept(ConsumerRecord<String, byte[]> record) {
    Lane lane = lanes.get(new TopicPartition(record.topic(), record.partition()));
    if (lane == null) {
      return;
    }
    switch (lane.admit(record.offset())) {
      case SKIP -> {}
      case HOLD_BACK -> lanes.holdBack(lane, record.offset());
      case TAKE -> {
        DispatchReader.Read read = reader.read(record, clock.instant());
        if (read instanceof DispatchReader.Ahead ahead) {
          catchUp(ahead.version());
          read = reader.readCaughtUp(record, clock.instant());
        }
        if (read instanceof DispatchReader.ToCall call) {
          if (!offload.offer(lane, call.job(), record.serializedValueSize())) {
            lane.enqueue(call.job());
          }
        } else if (read instanceof DispatchReader.Answered answered) {
          lane.finished(record.offset(), List.of(answered.answer()));
        }
      }
    }
  }

  /**
   * Puts the version of the live configuration in force here if it changed. Only the routing
   * sections change between versions; the worker's own settings stay those it started with.
   */
  private void reconfigure() {
    LiveConfig.Version current = live.current();
    if (current.number() == configVersion) {
      return;
    }
    SwitchboardConfig next = current.config();
    reader.use(next, current.number());
    calls.defaultTimeout(next.routerSettings().timeoutMs());
    lanes.repace(pacers.reconfigure(next));
    deploymentIds = ids(next);
    configVersion = current.number();
    log.info("config version {} in force in the worker", configVersion);
  }

  /**
   * Waits (briefly: the config watcher polls every half second) until the config version a dispatch
   * was routed by is in force, and puts it in force. A dispatch read before would find its new
   * deployment unknown; should the version not come, it is answered as the reader says then.
   */
  private void catchUp(long version) {
    try {
      if (!live.awaitVersion(version, CATCH_UP)) {
        log.warn(
            "a dispatch was routed by config version {}, which is not in force here after {} s",
            version,
            CATCH_UP.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reconfigure();
  }

  /** How long a dispatch routed by a newer config version waits for it. */
  private static final Duration CATCH_UP = Duration.ofSeconds(5);

  private static Set<String> ids(SwitchboardConfig config) {
    return config.modelList().stream()
        .map(DeploymentConfig::deploymentId)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Applies what the call threads and the retry timer reported. */
  private void handleEvents() {
    for (CallEvent event; (event = events.poll()) != null; ) {
      Lane lane = event.lane();
      if (event instanceof CallEvent.Completed c) {
        publisher.add(c.always());
        // The pacer outlives the lane object: the call counts in its window whoever owns the lane.
        lane.settle(c.permit(), c.tokens());
        if (lanes.owns(lane) && !c.retries()) {
          lane.finished(c.job(), c.result());
        } else if (c.attemptInResult() != null) {
          publisher.add(List.of(outputs.attemptRecord(c.attemptInResult())));
        }
      } else if (lanes.owns(lane)) {
        lane.retryDue(event.job());
      }
    }
  }

  /**
   * Every {@code health_publish_interval_ms}, the recent error rate, latency and dispatches in
   * flight of the deployments this worker called or holds go out with the next transaction (for
   * dynamic weights and the routing strategies).
   */
  private void reportHealth() {
    long interval = config.workerSettings().healthPublishIntervalMs();
    long nowMs = clock.millis();
    if (interval <= 0 || nowMs < nextHealthReportMs) {
      return;
    }
    nextHealthReportMs = nowMs + interval;
    publisher.add(
        health.periodicReports(lanes.held()).stream().map(outputs::healthRecord).toList());
  }

  /**
   * Publishes what finished; after a failed transaction, every owned lane restarts from its commit.
   */
  private void publish() {
    if (!publisher.publish(lanes.all())) {
      lanes.rewind();
    }
  }

  /** Stops taking dispatches and finishes the calls in flight, up to {@code shutdown_grace_ms}. */
  private void drain() {
    Instant end = clock.instant().plus(grace);
    state.drainUntil(end);
    lanes.apply(scheduler.pauses(lanes.all(), true));
    while (lanes.active() > 0 && clock.instant().isBefore(end) && !state.abandoned()) {
      consumer.poll(Duration.ofMillis(5));
      step();
    }
    if (!state.abandoned()) {
      handleEvents();
      publish();
    }
    int left = lanes.active();
    if (left > 0) {
      log.warn(
          "{} dispatches still in flight after the {} ms grace period; their partitions' next owner redoes them",
          left,
          grace.toMillis());
    }
  }

  private void closeClients() {
    try {
      if (state.abandoned()) {
        consumer.close(
            CloseOptions.groupMembershipOperation(
                    CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
                .withTimeout(Duration.ZERO));
      } else {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      }
    } catch (RuntimeException e) {
      log.warn("closing the dispatch consumer failed: {}", e.toString());
    }
    publisher.close(state.abandoned() ? Duration.ZERO : Duration.ofSeconds(5));
  }
}
