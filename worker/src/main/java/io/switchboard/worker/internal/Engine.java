package io.switchboard.worker.internal;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.JsonSerde;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.worker.health.HealthTracker;
import io.switchboard.worker.offsets.PartitionOffsets;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.pacing.LanePacers;
import io.switchboard.worker.provider.ProviderCall;
import io.switchboard.worker.provider.ProviderClient;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.TransportFailure;
import io.switchboard.worker.retry.RetryBudget;
import io.switchboard.worker.retry.RetryDecision;
import io.switchboard.worker.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's poll loop and call engine.
 *
 * <p>One thread owns the consumer, the transactional producer and every {@link Lane}. Provider
 * calls run on the shared asynchronous HTTP client; their completions are classified on the
 * thread that completes them and handed back to the poll thread through a concurrent queue, and
 * retries wait on a timer, so no thread is held per call. Each loop iteration publishes every
 * finished reply, hand-off, attempt event and health record with the offsets of the partitions
 * they finish, in one Kafka transaction.
 *
 * <p>A lane (partition) is paused while it cannot start what it has: its in-flight window is
 * full, its pacer has no permit, or one more record could make the finished offsets above its
 * commit point too long for the broker's metadata limit. Other lanes keep going. A lane's
 * replies are never published without its offsets: if they could not be committed, both wait.
 *
 * <p>When partitions are revoked (a rebalance or a graceful stop), the calls in flight on them
 * are finished and published first, up to {@code shutdown_grace_ms}, so the next owner does not
 * call the provider again for them. Pacers live as long as the engine: a partition revoked and
 * assigned again keeps its rate window.
 */
public final class Engine implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);

  private final SwitchboardConfig config;
  private final Topics topics;
  private final Clock clock;
  private final KafkaConsumer<String, byte[]> consumer;
  private final java.util.function.Consumer<AttemptEvent> onAttempt;
  private final Supplier<KafkaProducer<String, byte[]>> producers;
  private KafkaProducer<String, byte[]> producer;
  private final ProviderClient providers;
  private final HealthTracker health;
  private final RetryPolicy retryPolicy;
  private final ScheduledExecutorService timer;
  private final LanePacers pacers;
  private final Outputs outputs;
  private final JsonSerde<Dispatch> dispatchSerde = new JsonSerde<>(Dispatch.class);
  private final int window;
  /** The least time between two transactions ({@code worker_settings.transaction_interval_ms}). */
  private final long transactionIntervalNanos;
  private long lastTransactionNanos;

  private final Map<TopicPartition, Lane> lanes = new HashMap<>();
  private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
  private final List<ProducerRecord<String, byte[]>> outgoing = new ArrayList<>();
  private final Set<Lane> touched = new LinkedHashSet<>();

  private final AtomicInteger callsInFlight = new AtomicInteger();
  private volatile int pausedLanes;
  private volatile int ownedLanes;
  private volatile boolean running = true;
  private volatile boolean abandoned;
  private boolean draining;
  private long nextHealthReportMs;
  private long drainEndNanos;

  /** What the threads completing calls tell the poll thread. */
  private sealed interface Event permits Completed, RetryDue {}

  /**
   * One call ended. {@code always} (attempt event, health record) is published whoever owns
   * the lane; {@code result} (reply or hand-off) finishes the dispatch, or is null when a retry
   * follows.
   */
  private record Completed(Job job, LanePacer.Permit permit, int tokens, List<ProducerRecord<String, byte[]>> always,
      List<ProducerRecord<String, byte[]>> result) implements Event {}

  /** A retry's delay has passed. */
  private record RetryDue(Job job) implements Event {}

  /**
   * @param producers makes a transactional producer (called again when one is fenced or broken);
   *     {@code initTransactions} is called here
   */
  public Engine(SwitchboardConfig config, Clock clock, KafkaConsumer<String, byte[]> consumer,
      Supplier<KafkaProducer<String, byte[]>> producers, ProviderClient providers, HealthTracker health,
      RetryPolicy retryPolicy, ScheduledExecutorService timer) {
    this(config, clock, consumer, producers, providers, health, retryPolicy, timer, attempt -> { });
  }

  /**
   * @param producers makes a transactional producer (called again when one is fenced or broken);
   *     {@code initTransactions} is called here
   * @param onAttempt told of every provider call as it ends (for meters); must not block
   */
  public Engine(SwitchboardConfig config, Clock clock, KafkaConsumer<String, byte[]> consumer,
      Supplier<KafkaProducer<String, byte[]>> producers, ProviderClient providers, HealthTracker health,
      RetryPolicy retryPolicy, ScheduledExecutorService timer, java.util.function.Consumer<AttemptEvent> onAttempt) {
    this.onAttempt = Objects.requireNonNull(onAttempt, "onAttempt");
    this.config = Objects.requireNonNull(config, "config");
    this.topics = new Topics(config.topics());
    this.clock = Objects.requireNonNull(clock, "clock");
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.producers = Objects.requireNonNull(producers, "producers");
    this.providers = Objects.requireNonNull(providers, "providers");
    this.health = Objects.requireNonNull(health, "health");
    this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.pacers = new LanePacers(config, clock);
    this.outputs = new Outputs(config, topics);
    this.window = Math.max(1, config.workerSettings().maxInFlightPerLane());
    this.transactionIntervalNanos = TimeUnit.MILLISECONDS.toNanos(config.workerSettings().transactionIntervalMs());
    this.lastTransactionNanos = System.nanoTime() - transactionIntervalNanos;
  }

  /** Makes the first producer and registers its transactional id with the broker. */
  public void init() {
    producer = producers.get();
    producer.initTransactions();
  }

  /** Provider calls in progress now. Thread-safe. */
  public int callsInFlight() {
    return callsInFlight.get();
  }

  /** Owned partitions paused now (window, pacing or metadata limit). Thread-safe. */
  public int pausedLanes() {
    return pausedLanes;
  }

  /** Partitions owned now. Thread-safe. */
  public int ownedLanes() {
    return ownedLanes;
  }

  /** Asks the loop to stop taking dispatches, drain in-flight calls and exit. */
  public void stop() {
    running = false;
  }

  /**
   * Asks the loop to exit at once as if the process died between two transactions: nothing more
   * is published or committed, and the consumer stays in the group until its session times out.
   */
  public void abandon() {
    abandoned = true;
    running = false;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topics.dispatch().name()), new Rebalance());
      while (running) {
        boolean busy = !outgoing.isEmpty() || !touched.isEmpty()
            || lanes.values().stream().anyMatch(l -> l.active > 0 || !l.queue.isEmpty());
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(busy ? 5 : 100))) {
          if (abandoned) {
            break;
          }
          accept(record);
        }
        if (abandoned) {
          break;
        }
        step();
      }
      if (!abandoned) {
        drain();
      }
    } catch (WakeupException e) {
      log.info("worker loop woken up to close");
    } catch (RuntimeException e) {
      log.error("worker loop failed; the worker stops taking dispatches", e);
    } finally {
      running = false; // closing revokes the partitions: no waiting for calls after a failure
      closeClients();
    }
  }

  private void step() {
    handleEvents();
    startWork();
    reportHealth();
    if (System.nanoTime() - lastTransactionNanos >= transactionIntervalNanos) {
      publish();
    }
    adjustPauses();
  }

  /**
   * Every {@code health_publish_interval_ms}, the recent error rate and latency of the
   * deployments this worker called go out with the next transaction (for dynamic weights).
   */
  private void reportHealth() {
    long interval = config.workerSettings().healthPublishIntervalMs();
    long nowMs = clock.millis();
    if (interval <= 0 || nowMs < nextHealthReportMs) {
      return;
    }
    nextHealthReportMs = nowMs + interval;
    health.snapshotsOfCalled().forEach(h -> outgoing.add(outputs.healthRecord(h)));
  }

  private void closeClients() {
    try {
      if (abandoned) {
        consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP)
            .withTimeout(Duration.ZERO));
      } else {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      }
    } catch (RuntimeException e) {
      log.warn("closing the dispatch consumer failed: {}", e.toString());
    }
    if (producer != null) {
      try {
        producer.close(abandoned ? Duration.ZERO : Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        log.warn("closing the producer failed: {}", e.toString());
      }
    }
  }

  /** Takes one fetched record: skip it, answer it at once, or queue it on its lane. */
  private void accept(ConsumerRecord<String, byte[]> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    Lane lane = lanes.get(tp);
    if (lane == null) {
      return;
    }
    if (lane.heldBackFrom >= 0 && record.offset() >= lane.heldBackFrom) {
      return; // the rest of a fetch after a record left for later; fetched again from there
    }
    if (lane.offsets == null) {
      lane.offsets = PartitionOffsets.startingAt(record.offset());
    }
    if (!lane.offsets.hasRoomFor(record.offset())) {
      // Taking it could make the finished offsets above the commit point too long to commit.
      consumer.seek(tp, record.offset());
      consumer.pause(List.of(tp));
      lane.paused = true;
      lane.heldBackFrom = record.offset();
      return;
    }
    if (!lane.offsets.dispatch(record.offset())) {
      return; // finished by an earlier owner (restored from the commit metadata)
    }
    Instant now = clock.instant();
    Dispatch dispatch;
    DeploymentConfig deployment;
    int maxRetries;
    try {
      dispatch = dispatchSerde.deserialize(record.topic(), record.value());
      if (dispatch == null) {
        throw new IllegalArgumentException("record has no value");
      }
      deployment = config.deployment(dispatch.deploymentId()).orElse(null);
      maxRetries = deployment == null ? 0
          : RetryBudget.maxRetries(dispatch.request().numRetries(), deployment, config.routerSettings());
    } catch (RuntimeException e) {
      String message = "dispatch record at " + record.topic() + "/" + record.partition() + "@" + record.offset()
          + " is not a readable dispatch: " + e.getMessage();
      log.warn("{}; dead-lettered and skipped", message);
      finishRecord(lane, record.offset(), List.of(outputs.deadLetter(message, record.topic(), record.partition(),
          record.offset(), record.key(), record.value(), now)));
      return;
    }
    if (deployment == null) {
      finishRecord(lane, record.offset(), List.of(outputs.rejected(dispatch, ReplyError.of(ErrorCode.UNKNOWN_MODEL,
          "deployment '" + dispatch.deploymentId() + "' is not in this worker's model_list"), now)));
      return;
    }
    lane.queue.add(new Job(lane, record.offset(), dispatch, deployment, maxRetries));
  }

  /** Applies what the call threads and the retry timer reported. */
  private void handleEvents() {
    for (Event event; (event = events.poll()) != null; ) {
      if (event instanceof Completed c) {
        Lane lane = c.job().lane;
        outgoing.addAll(c.always());
        // The pacer outlives the lane object: the call counts in its window whoever owns the lane.
        lane.pacer.settle(c.permit(), Math.max(0, c.tokens()));
        if (lanes.get(lane.partition) == lane && c.result() != null) {
          finish(c.job(), c.result());
        }
      } else if (event instanceof RetryDue r) {
        Lane lane = r.job().lane;
        if (lanes.get(lane.partition) == lane) {
          lane.retries.add(r.job());
          lane.nextTryAtMs = 0;
        }
      }
    }
  }

  /** Starts what each lane may start now: retries first, then new dispatches within the window. */
  private void startWork() {
    long nowMs = clock.millis();
    for (Lane lane : lanes.values()) {
      if (nowMs < lane.nextTryAtMs) {
        continue;
      }
      lane.nextTryAtMs = 0;
      boolean blocked = false;
      while (!lane.retries.isEmpty() && !blocked) {
        blocked = !tryStart(lane, lane.retries.peek());
        if (!blocked) {
          lane.retries.poll();
        }
      }
      while (!draining && !lane.leaving && !blocked && !lane.queue.isEmpty() && lane.active < window) {
        blocked = !tryStart(lane, lane.queue.peek());
        if (!blocked) {
          lane.queue.poll();
        }
      }
    }
  }

  /**
   * Starts the job's next call, or finishes it without a call (deadline passed, deployment
   * cooling down). Returns false when the pacer has no permit yet; the lane then waits until
   * the pacer's delay or the job's deadline, whichever comes first.
   */
  private boolean tryStart(Lane lane, Job job) {
    Instant now = clock.instant();
    Instant deadline = job.deadline();
    if (deadline != null && !now.isBefore(deadline)) {
      finish(job, List.of(outputs.error(job, ErrorCode.DEADLINE_EXCEEDED, "deadline " + deadline
          + " passed before " + (job.retry == 0 ? "the provider call" : "retry " + job.retry) + " to deployment '"
          + job.deployment.deploymentId() + "'", now)));
      return true;
    }
    Optional<Instant> coolingUntil = health.cooldownUntil(job.deployment.deploymentId());
    if (coolingUntil.isPresent()) {
      finish(job, List.of(outputs.handoff(job, Outcome.FALLBACK, "deployment '" + job.deployment.deploymentId()
          + "' is cooling down until " + coolingUntil.get())));
      return true;
    }
    int estimate = Math.max(0, job.dispatch.estimatedTokens());
    Optional<LanePacer.Permit> permit = lane.pacer.tryAcquire(estimate);
    if (permit.isEmpty()) {
      long wait = Math.max(1, lane.pacer.delayUntilAvailable(estimate).toMillis());
      long at = now.toEpochMilli() + wait;
      if (deadline != null) {
        at = Math.min(at, deadline.toEpochMilli());
      }
      Job head = lane.queue.peek();
      if (head != null && head.deadline() != null) {
        at = Math.min(at, head.deadline().toEpochMilli());
      }
      lane.nextTryAtMs = at;
      return false;
    }
    if (!job.started) {
      job.started = true;
      lane.active++;
    }
    call(job, permit.get(), now);
    return true;
  }

  private void call(Job job, LanePacer.Permit permit, Instant now) {
    Long requestTimeout = job.dispatch.request().timeoutMs();
    long timeoutMs = requestTimeout != null ? requestTimeout
        : job.deployment.timeoutMs() != null ? job.deployment.timeoutMs()
        : config.routerSettings().timeoutMs();
    if (job.deadline() != null) {
      timeoutMs = Math.min(timeoutMs, Math.max(1, Duration.between(now, job.deadline()).toMillis()));
    }
    ProviderCall providerCall = new ProviderCall(job.deployment, job.dispatch.request().body(), job.id(),
        Duration.ofMillis(Math.max(1, timeoutMs)));
    callsInFlight.incrementAndGet();
    providers.call(providerCall).whenComplete((response, error) -> {
      callsInFlight.decrementAndGet();
      completed(job, permit, response, error);
    });
  }

  /** Runs on the thread that completed the call: classify, decide, build the records. */
  private void completed(Job job, LanePacer.Permit permit, ProviderResponse response, Throwable error) {
    Instant now = clock.instant();
    try {
      if (error != null) {
        throw error instanceof RuntimeException re ? re : new IllegalStateException(error);
      }
      String deploymentId = job.deployment.deploymentId();
      List<ProducerRecord<String, byte[]>> always = new ArrayList<>(2);
      Optional<DeploymentHealth> cooldown = cancelled(response) ? Optional.empty()
          : health.record(deploymentId, response);
      cooldown.ifPresent(h -> {
        log.warn("deployment '{}' cools down until {}: {}", deploymentId, h.cooldownUntil(), h.reason());
        always.add(outputs.healthRecord(h));
      });
      RetryDecision decision = retryPolicy.decide(response, job.retry, job.maxRetries, job.deployment.backoff(),
          job.deadline());
      AttemptEvent attempt = Outputs.attempt(job, response, decision.outcome(), decision.reason(), now);
      onAttempt.accept(attempt);
      job.attempts.add(attempt);
      always.add(outputs.attemptRecord(attempt));
      int tokens = response.usage() != null ? response.usage().totalTokens() : job.dispatch.estimatedTokens();
      List<ProducerRecord<String, byte[]>> result = switch (decision.outcome()) {
        case RETRY -> null;
        case SUCCESS -> List.of(outputs.ok(job, response, now));
        case FALLBACK -> List.of(outputs.handoff(job, Outcome.FALLBACK, attempt.error()));
        case CONTEXT_WINDOW -> List.of(outputs.handoff(job, Outcome.CONTEXT_WINDOW, attempt.error()));
        case FAIL -> List.of(outputs.error(job, ErrorCode.PROVIDER_ERROR, "deployment '" + deploymentId
            + "' answered " + attempt.error(), now));
      };
      if (result == null) {
        job.retry++;
      }
      events.add(new Completed(job, permit, tokens, always, result));
      if (result == null) {
        scheduleRetry(job, decision.delay());
      }
    } catch (Throwable t) {
      log.error("handling the provider response for request {} failed; answering with an internal error",
          job.id(), t);
      events.add(new Completed(job, permit, job.dispatch.estimatedTokens(), List.of(), List.of(outputs.error(job,
          ErrorCode.INTERNAL_ERROR, "the worker failed handling the provider's response: " + t.getClass().getSimpleName(),
          now))));
    }
  }

  /** A call cancelled because this worker is closing says nothing about the deployment. */
  private static boolean cancelled(ProviderResponse response) {
    return response.failure() != null && response.failure().kind() == TransportFailure.Kind.CANCELLED;
  }

  private void scheduleRetry(Job job, Duration delay) {
    try {
      timer.schedule(() -> {
        events.add(new RetryDue(job));
      }, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      log.debug("retry of request {} not scheduled: the worker is closing", job.id());
    }
  }

  /** Finishes a started or queued job: its records go out in the next transaction with its offset. */
  private void finish(Job job, List<ProducerRecord<String, byte[]>> records) {
    if (job.started) {
      job.started = false;
      job.lane.active--;
    }
    finishRecord(job.lane, job.offset, records);
  }

  private void finishRecord(Lane lane, long offset, List<ProducerRecord<String, byte[]>> records) {
    lane.results.addAll(records);
    lane.offsets.complete(offset);
    touched.add(lane);
  }

  /**
   * Publishes everything finished since the last call, with the offsets, in one transaction. A
   * lane whose finished offsets would not fit the commit metadata keeps its results back with
   * its offsets: a reply published without the offset that marks it answered would be answered
   * again by the next owner.
   */
  private void publish() {
    if (outgoing.isEmpty() && touched.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(outgoing);
    List<Lane> committing = new ArrayList<>();
    for (Iterator<Lane> it = touched.iterator(); it.hasNext(); ) {
      Lane lane = it.next();
      if (lanes.get(lane.partition) != lane) {
        it.remove();
        continue;
      }
      if (!lane.offsets.fitsCommit()) {
        if (!lane.resultsHeld) {
          lane.resultsHeld = true;
          log.warn("finished offsets of {} do not fit the commit metadata; its replies wait with its commit",
              lane.partition);
        }
        continue;
      }
      offsets.put(lane.partition, new OffsetAndMetadata(lane.offsets.commitPoint(), lane.offsets.metadata()));
      records.addAll(lane.results);
      committing.add(lane);
    }
    outgoing.clear();
    if (records.isEmpty() && offsets.isEmpty()) {
      return;
    }
    try {
      producer.beginTransaction();
      for (ProducerRecord<String, byte[]> record : records) {
        producer.send(record);
      }
      if (!offsets.isEmpty()) {
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      }
      producer.commitTransaction();
      for (Lane lane : committing) {
        lane.results.clear();
        lane.resultsHeld = false;
        touched.remove(lane);
      }
      lastTransactionNanos = System.nanoTime();
    } catch (KafkaException e) {
      touched.clear();
      recover(e);
    }
  }

  /**
   * After a failed transaction nothing of it is visible; the work it would have finished is
   * redone: every owned lane restarts from its committed offset and metadata.
   */
  private void recover(KafkaException failure) {
    log.warn("a transaction failed ({}); redoing the uncommitted work of owned partitions", failure.toString());
    try {
      producer.abortTransaction();
    } catch (KafkaException abortFailed) {
      log.warn("the producer cannot abort ({}); starting a new one", abortFailed.toString());
      try {
        producer.close(Duration.ZERO);
      } catch (RuntimeException ignored) {
        log.debug("closing the failed producer: {}", ignored.toString());
      }
      producer = freshProducer();
    }
    Set<TopicPartition> owned = new HashSet<>(lanes.keySet());
    lanes.clear();
    restore(owned, true);
  }

  /** A new transactional producer; a broker outage is waited out as long as the worker runs. */
  private KafkaProducer<String, byte[]> freshProducer() {
    while (true) {
      KafkaProducer<String, byte[]> fresh = producers.get();
      try {
        fresh.initTransactions();
        return fresh;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        fresh.close(Duration.ZERO);
        if (!running) {
          throw e;
        }
        log.warn("a new producer cannot register its transactional id yet ({}); trying again", e.getMessage());
      }
    }
  }

  /**
   * The committed offsets and metadata of {@code partitions}. A broker outage (the group
   * coordinator unreachable) is waited out, as long as the worker runs: the alternative, owning
   * partitions without knowing what was already answered, could answer a request twice.
   */
  private Map<TopicPartition, OffsetAndMetadata> committed(Collection<TopicPartition> partitions) {
    Set<TopicPartition> wanted = new HashSet<>(partitions);
    while (true) {
      try {
        return consumer.committed(wanted, Duration.ofSeconds(15));
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (!running) {
          throw e;
        }
        log.warn("committed offsets of {} not available yet ({}); trying again", wanted, e.getMessage());
      }
    }
  }

  /** Makes fresh lanes from the committed offsets; with {@code seek}, moves the consumer back to them. */
  private void restore(Collection<TopicPartition> partitions, boolean seek) {
    if (partitions.isEmpty()) {
      ownedLanes = lanes.size();
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committed = committed(partitions);
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata c = committed.get(tp);
      PartitionOffsets offsets = null;
      if (c != null) {
        try {
          offsets = PartitionOffsets.restore(c.offset(), c.metadata());
        } catch (IllegalArgumentException corrupt) {
          log.error("commit metadata of {} is corrupt ({}); resuming at offset {} without it", tp,
              corrupt.getMessage(), c.offset());
          offsets = PartitionOffsets.startingAt(c.offset());
        }
      }
      if (seek) {
        if (c != null) {
          consumer.seek(tp, c.offset());
        } else {
          consumer.seekToBeginning(List.of(tp));
        }
      }
      lanes.put(tp, new Lane(tp, pacer(tp), offsets));
    }
    consumer.resume(partitions);
    ownedLanes = lanes.size();
  }

  private LanePacer pacer(TopicPartition tp) {
    try {
      return pacers.forPartition(tp.partition());
    } catch (IllegalArgumentException e) {
      log.warn("{}; its dispatches are not paced", e.getMessage());
      return new LanePacer(null, null, clock);
    }
  }

  /** Pauses the lanes that cannot start what they have and resumes the others. */
  private void adjustPauses() {
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    int paused = 0;
    for (Lane lane : lanes.values()) {
      boolean full = draining || !lane.queue.isEmpty() || lane.active >= window || nearMetadataLimit(lane);
      if (!full) {
        lane.heldBackFrom = -1;
      }
      if (full != lane.paused) {
        (full ? pause : resume).add(lane.partition);
        lane.paused = full;
      }
      if (full) {
        paused++;
      }
    }
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
    pausedLanes = paused;
  }

  /** True when the lane's next record (or the one it left on the broker) could not be taken now. */
  private static boolean nearMetadataLimit(Lane lane) {
    PartitionOffsets o = lane.offsets;
    return o != null && !o.hasRoomFor(Math.max(o.nextExpected(), lane.heldBackFrom));
  }

  /** Stops taking dispatches and finishes the calls in flight, up to {@code shutdown_grace_ms}. */
  private void drain() {
    draining = true;
    adjustPauses();
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.workerSettings().shutdownGraceMs());
    drainEndNanos = end;
    while (lanes.values().stream().anyMatch(l -> l.active > 0) && System.nanoTime() < end && !abandoned) {
      consumer.poll(Duration.ofMillis(5));
      step();
    }
    if (!abandoned) {
      handleEvents();
      publish();
    }
    int left = lanes.values().stream().mapToInt(l -> l.active).sum();
    if (left > 0) {
      log.warn("{} dispatches still in flight after the {} ms grace period; their partitions' next owner redoes them",
          left, config.workerSettings().shutdownGraceMs());
    }
  }

  /**
   * Lets the calls in flight on revoked partitions finish, so that the next owner does not call
   * the provider again: up to {@code shutdown_grace_ms} in a rebalance, up to what is left of the
   * grace period when draining. Nothing new starts on those lanes; other lanes go on. This holds
   * the group's rebalance for as long as the slowest of those calls (bounded by the grace).
   */
  private void finishInFlight(Collection<TopicPartition> partitions) {
    List<Lane> leaving = partitions.stream().map(lanes::get).filter(Objects::nonNull).toList();
    leaving.forEach(l -> l.leaving = true);
    long end = draining ? drainEndNanos
        : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.workerSettings().shutdownGraceMs());
    while (!abandoned && (running || draining) && System.nanoTime() < end
        && leaving.stream().anyMatch(l -> lanes.get(l.partition) == l && l.active > 0)) {
      handleEvents();
      startWork();
      publish();
      if (events.isEmpty()) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (abandoned) {
        return;
      }
      finishInFlight(partitions);
      handleEvents();
      publish();
      for (TopicPartition tp : partitions) {
        lanes.remove(tp);
      }
      ownedLanes = lanes.size();
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        lanes.remove(tp);
      }
      ownedLanes = lanes.size();
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      restore(partitions, false);
    }
  }
}
