package io.switchboard.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.JsonSerde;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.worker.internal.OpenAiCaller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker process: consumes dispatches, calls the chosen deployment, and publishes one reply
 * per dispatch. Calls run concurrently and finish out of order; replies and the offset commit
 * go in one Kafka transaction, and the offsets finished above the commit point travel in the
 * commit metadata, so a new owner neither loses nor repeats a reply.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);

  private final SwitchboardConfig config;
  private final Topics topics;
  private final Clock clock;
  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaProducer<String, byte[]> producer;
  private final CloseableHttpAsyncClient http;
  private final OpenAiCaller caller;
  private final JsonSerde<Dispatch> dispatchSerde = new JsonSerde<>(Dispatch.class);
  private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
  private final Map<TopicPartition, Lane> lanes = new HashMap<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread loop;

  /** A finished dispatch: the records to publish for it. */
  private record Done(TopicPartition partition, long offset, long epoch, List<ProducerRecord<String, byte[]>> out) {}

  /** Offsets of one owned partition: in flight, and finished above the commit point. */
  private static final class Lane {
    final long epoch;
    final TreeSet<Long> inFlight = new TreeSet<>();
    final TreeSet<Long> finished = new TreeSet<>();
    final Set<Long> skip;
    long next = -1;
    boolean paused;

    Lane(long epoch, Set<Long> skip) {
      this.epoch = epoch;
      this.skip = skip;
    }

    long commitPoint() {
      return inFlight.isEmpty() ? next : inFlight.first();
    }
  }

  private long epoch;

  public Worker(SwitchboardConfig config, Clock clock, Function<String, String> env) {
    this.config = config;
    this.topics = new Topics(config.topics());
    this.clock = clock;
    this.consumer = new KafkaConsumer<>(consumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer());
    this.producer = new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
    this.http = HttpAsyncClients.custom()
        .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
            .setMaxConnTotal(config.workerSettings().maxConnections())
            .setMaxConnPerRoute(config.workerSettings().maxConnections())
            .build())
        .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
        .disableAutomaticRetries()
        .build();
    this.caller = new OpenAiCaller(http, env);
    this.loop = new Thread(this::run, "switchboard-worker");
  }

  static Properties consumerProperties(SwitchboardConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafka());
    p.put("group.id", config.workerSettings().groupId());
    p.put("enable.auto.commit", "false");
    p.put("isolation.level", "read_committed");
    p.put("auto.offset.reset", "earliest");
    p.putIfAbsent("max.poll.records", "500");
    return p;
  }

  static Properties producerProperties(SwitchboardConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafka());
    p.put("transactional.id", config.workerSettings().transactionalIdPrefix() + "-" + UUID.randomUUID());
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.putIfAbsent("linger.ms", "5");
    return p;
  }

  public void start() {
    producer.initTransactions();
    http.start();
    running.set(true);
    loop.start();
  }

  private void run() {
    try {
      consumer.subscribe(List.of(topics.dispatch().name()), new Rebalance());
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(20))) {
          accept(record);
        }
        publishFinished();
        applyBackPressure();
      }
      drain();
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error("worker loop failed; stopping", e);
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } finally {
        producer.close(Duration.ofSeconds(5));
        http.close(CloseMode.GRACEFUL);
        stopped.countDown();
      }
    }
  }

  private void accept(ConsumerRecord<String, byte[]> record) {
    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
    Lane lane = lanes.get(tp);
    if (lane == null) {
      return;
    }
    lane.next = record.offset() + 1;
    if (lane.skip.remove(record.offset())) {
      return;
    }
    lane.inFlight.add(record.offset());
    long laneEpoch = lane.epoch;
    Instant now = clock.instant();
    Dispatch dispatch;
    try {
      dispatch = dispatchSerde.deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      DeadLetter letter = DeadLetter.of(ErrorCode.INTERNAL_ERROR, "dispatch record is not readable: " + e.getMessage(),
          record.topic(), record.partition(), record.offset(), record.key(), record.value(), List.of(), now);
      done.add(new Done(tp, record.offset(), laneEpoch, List.of(
          new ProducerRecord<>(topics.deadLetter().name(), record.key(), Json.toBytes(letter)))));
      return;
    }
    if (dispatch.request().deadline() != null && !now.isBefore(dispatch.request().deadline())) {
      RouteReply reply = RouteReply.rejected(dispatch.id(), new ReplyError(ErrorCode.DEADLINE_EXCEEDED,
          "deadline " + dispatch.request().deadline() + " passed before the provider call", "/deadline"),
          dispatch.request().metadata(), now);
      done.add(new Done(tp, record.offset(), laneEpoch, List.of(replyRecord(dispatch, reply))));
      return;
    }
    DeploymentConfig deployment = config.deployment(dispatch.deploymentId()).orElse(null);
    if (deployment == null) {
      RouteReply reply = RouteReply.rejected(dispatch.id(), ReplyError.of(ErrorCode.UNKNOWN_MODEL,
          "deployment '" + dispatch.deploymentId() + "' is not in this worker's model_list"), dispatch.request().metadata(), now);
      done.add(new Done(tp, record.offset(), laneEpoch, List.of(replyRecord(dispatch, reply))));
      return;
    }
    long timeout = dispatch.request().timeoutMs() != null ? dispatch.request().timeoutMs()
        : deployment.timeoutMs() != null ? deployment.timeoutMs() : config.routerSettings().timeoutMs();
    caller.call(deployment, dispatch.id(), dispatch.request().body(), timeout).whenComplete((result, error) -> {
      OpenAiCaller.Result r = error == null ? result : new OpenAiCaller.Result(0, null, (Exception) error, 0);
      done.add(new Done(tp, record.offset(), laneEpoch, complete(dispatch, deployment, r)));
    });
  }

  private List<ProducerRecord<String, byte[]>> complete(Dispatch dispatch, DeploymentConfig d, OpenAiCaller.Result r) {
    Instant now = clock.instant();
    ObjectNode response = null;
    if (r.status() / 100 == 2 && r.body() != null) {
      try {
        JsonNode parsed = Json.parse(r.body());
        response = parsed.isObject() && parsed.has("choices") ? (ObjectNode) parsed : null;
      } catch (RuntimeException notJson) {
        response = null;
      }
    }
    Integer in = response == null ? null : intOrNull(response.path("usage").path("prompt_tokens"));
    Integer out = response == null ? null : intOrNull(response.path("usage").path("completion_tokens"));
    Double cost = d.cost(in, out);
    String failure = response != null ? null
        : r.failure() != null ? r.failure().getClass().getSimpleName() + " calling " + d.deploymentId()
        : "HTTP " + r.status() + (r.status() / 100 == 2 ? " with a body that is not a chat completion" : "");
    Outcome outcome = response != null ? Outcome.SUCCESS : Outcome.FAIL;
    AttemptEvent attempt = new AttemptEvent(null, dispatch.id(), d.deploymentId(), dispatch.modelName(), d.model(),
        d.provider().wire(), outcome, r.status() == 0 ? null : r.status(), r.latencyMs(), in, out, cost, 0, failure, now);
    List<AttemptEvent> attempts = new ArrayList<>(dispatch.attempts());
    attempts.add(attempt);
    long latency = Math.max(0, Duration.between(dispatch.receivedAt(), now).toMillis());
    RouteReply reply = new RouteReply(dispatch.id(), response != null ? ReplyStatus.OK : ReplyStatus.ERROR, response,
        response != null ? null : ReplyError.of(ErrorCode.PROVIDER_ERROR, failure),
        d.deploymentId(), dispatch.modelName(), d.model(), d.provider().wire(), attempts, latency,
        response != null ? r.latencyMs() : null, cost, dispatch.request().metadata(), now);
    return List.of(replyRecord(dispatch, reply),
        new ProducerRecord<>(topics.metrics().name(), d.deploymentId(), Json.toBytes(attempt)));
  }

  private static Integer intOrNull(JsonNode node) {
    return node.isNumber() ? node.intValue() : null;
  }

  private ProducerRecord<String, byte[]> replyRecord(Dispatch dispatch, RouteReply reply) {
    String topic = dispatch.request().replyTo() != null ? dispatch.request().replyTo() : topics.replies().name();
    return new ProducerRecord<>(topic, dispatch.id(), Json.toBytes(reply));
  }

  /** Publishes every finished dispatch with the offset commit in one transaction. */
  private void publishFinished() {
    if (done.isEmpty()) {
      return;
    }
    producer.beginTransaction();
    Set<TopicPartition> touched = new HashSet<>();
    for (Done d; (d = done.poll()) != null; ) {
      Lane lane = lanes.get(d.partition());
      if (lane == null || lane.epoch != d.epoch()) {
        continue; // the partition moved to another worker, which will redo this dispatch
      }
      d.out().forEach(producer::send);
      lane.inFlight.remove(d.offset());
      lane.finished.add(d.offset());
      touched.add(d.partition());
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : touched) {
      Lane lane = lanes.get(tp);
      long point = lane.commitPoint();
      lane.finished.headSet(point).clear();
      offsets.put(tp, new OffsetAndMetadata(point, FinishedOffsets.encode(point, lane.finished)));
    }
    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
    producer.commitTransaction();
  }

  private void applyBackPressure() {
    int window = config.workerSettings().maxInFlightPerLane();
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    lanes.forEach((tp, lane) -> {
      boolean full = lane.inFlight.size() >= window || FinishedOffsets.nearLimit(lane.finished.size());
      if (full && !lane.paused) {
        pause.add(tp);
        lane.paused = true;
      } else if (!full && lane.paused) {
        resume.add(tp);
        lane.paused = false;
      }
    });
    if (!pause.isEmpty()) {
      consumer.pause(pause);
    }
    if (!resume.isEmpty()) {
      consumer.resume(resume);
    }
  }

  /** Stops taking dispatches and waits for in-flight calls up to the grace period. */
  private void drain() {
    consumer.pause(consumer.assignment());
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.workerSettings().shutdownGraceMs());
    while (lanes.values().stream().anyMatch(l -> !l.inFlight.isEmpty()) && System.nanoTime() < end) {
      consumer.poll(Duration.ofMillis(20));
      publishFinished();
    }
    publishFinished();
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      publishFinished();
      partitions.forEach(lanes::remove);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      partitions.forEach(lanes::remove);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
      for (TopicPartition tp : partitions) {
        OffsetAndMetadata c = committed.get(tp);
        Set<Long> skip = c == null ? new HashSet<>() : FinishedOffsets.decode(c.offset(), c.metadata());
        lanes.put(tp, new Lane(++epoch, skip));
      }
    }
  }

  @Override
  public void close() {
    if (running.compareAndSet(true, false)) {
      try {
        if (!stopped.await(config.workerSettings().shutdownGraceMs() + 10_000, TimeUnit.MILLISECONDS)) {
          consumer.wakeup();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
