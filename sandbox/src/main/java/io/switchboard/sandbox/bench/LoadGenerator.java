package io.switchboard.sandbox.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.kafka.ConsumerProperties;
import io.switchboard.schemas.topics.Topics;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Drives requests into the requests topic and reads the replies. Each request carries its send time
 * in its metadata (echoed on the reply), so no per-request state is kept: memory stays flat however
 * many requests are sent.
 */
public final class LoadGenerator {
  static final String SENT_AT = "bench_sent_us";

  /** How often the heap in use is looked at. */
  static final long HEAP_SAMPLE_MS = 100;

  /** The heap samples are summarised per window of this length. */
  public static final Duration HEAP_WINDOW = Duration.ofSeconds(5);

  /**
   * What the run saw.
   *
   * @param cpuSeconds CPU time this process (broker, router, workers, mock and this generator) used
   *     from the first request sent to the last reply read
   * @param heap the heap in use per {@link #HEAP_WINDOW}, from the first request sent until the
   *     replies stop
   * @param alsoCountedCpuSeconds the part of {@code cpuSeconds} used by the processes counted with
   *     this one ({@link #alsoCountCpuOf})
   */
  public record Result(
      long sent,
      long replies,
      long errors,
      double seconds,
      Histogram replyLatency,
      Histogram overhead,
      long peakInFlight,
      long heapPeakMb,
      Map<String, Long> perDeployment,
      double cpuSeconds,
      List<HeapWindow> heap,
      Map<String, Histogram> stages,
      double alsoCountedCpuSeconds) {}

  /**
   * The heap in use within one window of the run. The lowest sample is what was left after the
   * window's collections: its trend over the windows is the memory kept, garbage excluded.
   *
   * @param atSeconds the window's end, from the first request sent
   * @param replies replies read by then
   * @param minMb the lowest heap in use seen in the window
   * @param maxMb the highest
   */
  public record HeapWindow(double atSeconds, long replies, long minMb, long maxMb) {}

  /**
   * Where a request's time went, from the times the reply carries (wall clock, milliseconds):
   * published to read by the router, from there to the start of the first provider call, from the
   * end of the last call to the reply's record being sent (the worker's next transaction), and from
   * then to the reply being read (the transaction's commit and the reader's fetch).
   */
  public static final List<String> STAGES =
      List.of("publish->router", "router->call", "call->sent", "sent->reader");

  private final Map<String, String> kafka;
  private Integer lingerMs;
  private final Topics topics;
  private final String model;
  private final ObjectNode body;
  private boolean collectEachWindow;
  private final List<ProcessHandle> alsoCounted = new ArrayList<>();

  /**
   * The load producer's settings: the config's {@code kafka:} section, as for every other client,
   * with {@code acks=all}; {@code linger.ms} is {@code lingerMs} when set, else the section's, else
   * 5 (Kafka's default).
   */
  static Properties producerSettings(Map<String, String> kafka, Integer lingerMs) {
    Properties pp = new Properties();
    pp.putAll(kafka);
    if (lingerMs != null) {
      pp.put("linger.ms", Integer.toString(lingerMs));
    }
    pp.putIfAbsent("linger.ms", "5");
    pp.put("acks", "all");
    return pp;
  }

  /** Sets the load producer's {@code linger.ms} (null: the config's, else 5). */
  public void lingerMs(Integer lingerMs) {
    this.lingerMs = lingerMs;
  }

  public LoadGenerator(Map<String, String> kafka, Topics topics, String model) {
    this.kafka = kafka;
    this.topics = topics;
    this.model = model;
    this.body =
        (ObjectNode)
            Json.parse(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Write one short sentence about Kafka.\"}],\"max_tokens\":16}");
  }

  /**
   * Makes the heap sampler run a full collection once per {@link #HEAP_WINDOW}, so that each
   * window's lowest sample is the live heap rather than what the last young collection left. Each
   * collection pauses the run: use it where memory, not speed, is measured.
   */
  public LoadGenerator collectEachWindow(boolean collect) {
    this.collectEachWindow = collect;
    return this;
  }

  /** Counts {@code process}'s CPU time (e.g. a broker in its own JVM) with this process's. */
  public LoadGenerator alsoCountCpuOf(ProcessHandle process) {
    alsoCounted.add(process);
    return this;
  }

  /**
   * Sends requests for {@code duration} (or until {@code maxRequests}), then waits up to {@code
   * drain} for the replies.
   *
   * @param ratePerSecond open loop at this rate when > 0
   * @param inFlight closed loop with this many requests outstanding when {@code ratePerSecond} is 0
   */
  public Result run(
      double ratePerSecond, int inFlight, Duration duration, long maxRequests, Duration drain)
      throws InterruptedException {
    Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    Histogram overhead = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    AtomicLong replies = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong outstanding = new AtomicLong();
    AtomicLong peak = new AtomicLong();
    AtomicLong heapPeak = new AtomicLong();
    AtomicLong lastReplyNanos = new AtomicLong();
    Map<String, Long> perDeployment = new ConcurrentHashMap<>();
    Map<String, Histogram> stages = new LinkedHashMap<>();
    STAGES.forEach(stage -> stages.put(stage, new Histogram(TimeUnit.MINUTES.toMicros(10), 3)));
    // Send times are taken from the monotonic clock; the reply's times are wall clock.
    long wallMinusNanoUs = micros(Instant.now()) - TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
    boolean closedLoop = ratePerSecond <= 0;
    Semaphore window = new Semaphore(closedLoop ? inFlight : 0);
    String run = Long.toString(System.nanoTime(), 36);
    String idPrefix = "bench-" + run + "-";
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    Properties cp =
        ConsumerProperties.readCommitted(kafka)
            .group(topics.replies().name() + "-reader-" + run)
            .fromLatest()
            .set("max.poll.records", "2000")
            .toProperties();
    KafkaConsumer<String, ReplyView> consumer =
        new KafkaConsumer<>(cp, new StringDeserializer(), ReplyView.DESERIALIZER);
    consumer.subscribe(List.of(topics.replies().name()));
    while (consumer.assignment().isEmpty()) {
      consumer.poll(Duration.ofMillis(50));
    }
    AtomicLong sentCount = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean reading =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicReference<Throwable> readerFailure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                while (reading.get()) {
                  for (ConsumerRecord<String, ReplyView> r : consumer.poll(Duration.ofMillis(50))) {
                    ReplyView reply = r.value();
                    if (reply.metadata() == null
                        || !reply.metadata().containsKey(SENT_AT)
                        || !reply.id().startsWith(idPrefix)) {
                      continue; // not a request of this run (another run's, e.g. a warm-up's late
                      // reply)
                    }
                    long nowUs = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
                    long sentUs = Long.parseLong(reply.metadata().get(SENT_AT));
                    long us = Math.max(0, nowUs - sentUs);
                    recordStages(
                        stages,
                        reply,
                        sentUs + wallMinusNanoUs,
                        TimeUnit.MILLISECONDS.toMicros(r.timestamp()),
                        nowUs + wallMinusNanoUs);
                    latency.recordValue(Math.min(us, latency.getHighestTrackableValue()));
                    long providerUs =
                        reply.providerLatencyMs() == null ? 0 : reply.providerLatencyMs() * 1000;
                    overhead.recordValue(
                        Math.min(
                            Math.max(0, us - providerUs), overhead.getHighestTrackableValue()));
                    if (reply.status() != ReplyStatus.OK) {
                      errors.incrementAndGet();
                    }
                    if (reply.deploymentId() != null) {
                      perDeployment.merge(reply.deploymentId(), 1L, Long::sum);
                    }
                    replies.incrementAndGet();
                    outstanding.decrementAndGet();
                    if (closedLoop) {
                      window.release();
                    }
                    lastReplyNanos.set(System.nanoTime());
                  }
                  heapPeak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                }
              } catch (org.apache.kafka.common.errors.WakeupException e) {
                // stopping
              } catch (RuntimeException | Error e) {
                readerFailure.set(e);
              } finally {
                consumer.close(Duration.ofSeconds(2));
              }
            },
            "bench-replies");
    reader.start();

    Properties pp = producerSettings(kafka, lingerMs);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long othersAtStart = alsoCountedCpuNanos();
    long cpuAtStart = processCpuNanos() + othersAtStart;
    List<HeapWindow> heap = Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean sampling =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    boolean collect = collectEachWindow;
    Thread heapSampler =
        new Thread(() -> sampleHeap(memory, start, replies, sampling, heap, collect), "bench-heap");
    heapSampler.setDaemon(true);
    heapSampler.start();
    RequestTemplate requests = new RequestTemplate(model, body, SENT_AT);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
      long i = 0;
      while (System.nanoTime() < end && i < maxRequests) {
        if (!closedLoop) {
          long due = start + (long) (i * 1e9 / ratePerSecond);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
        } else if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
        String id = idPrefix + i;
        long sentUs = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
        producer.send(
            new ProducerRecord<>(
                topics.requests().name(), id, requests.encode(id, Long.toString(sentUs))));
        peak.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
        i++;
      }
      sentCount.set(i);
    }
    long drainEnd = System.nanoTime() + drain.toNanos();
    while (replies.get() < sentCount.get()
        && System.nanoTime() < drainEnd
        && readerFailure.get() == null) {
      Thread.sleep(20);
    }
    long othersAtEnd = alsoCountedCpuNanos();
    long cpuAtEnd = processCpuNanos() + othersAtEnd;
    sampling.set(false);
    heapSampler.join(5000);
    reading.set(false);
    consumer.wakeup();
    reader.join(5000);
    if (readerFailure.get() != null) {
      throw new IllegalStateException(
          "the reply reader failed; the figures would be wrong", readerFailure.get());
    }
    long last = lastReplyNanos.get() == 0 ? System.nanoTime() : lastReplyNanos.get();
    return new Result(
        sentCount.get(),
        replies.get(),
        errors.get(),
        (last - start) / 1e9,
        latency,
        overhead,
        peak.get(),
        heapPeak.get() >> 20,
        Map.copyOf(perDeployment),
        (cpuAtEnd - cpuAtStart) / 1e9,
        List.copyOf(heap),
        Collections.unmodifiableMap(stages),
        (othersAtEnd - othersAtStart) / 1e9);
  }

  /**
   * Adds a reply's stage times ({@link #STAGES}); replies without a provider call or times add
   * none.
   */
  private static void recordStages(
      Map<String, Histogram> stages,
      ReplyView reply,
      long sentWallUs,
      long recordUs,
      long readWallUs) {
    if (reply.createdAt() == null
        || reply.latencyMs() == null
        || reply.attempts() == null
        || reply.attempts().isEmpty()) {
      return;
    }
    long receivedUs = micros(reply.createdAt()) - TimeUnit.MILLISECONDS.toMicros(reply.latencyMs());
    ReplyView.AttemptView first = reply.attempts().get(0);
    ReplyView.AttemptView last = reply.attempts().get(reply.attempts().size() - 1);
    long firstCallUs = micros(first.at()) - TimeUnit.MILLISECONDS.toMicros(first.latencyMs());
    long[] spans = {
      receivedUs - sentWallUs,
      firstCallUs - receivedUs,
      recordUs - micros(last.at()),
      readWallUs - recordUs
    };
    for (int i = 0; i < spans.length; i++) {
      Histogram h = stages.get(STAGES.get(i));
      h.recordValue(Math.min(Math.max(0, spans[i]), h.getHighestTrackableValue()));
    }
  }

  private static long micros(Instant at) {
    return TimeUnit.SECONDS.toMicros(at.getEpochSecond())
        + TimeUnit.NANOSECONDS.toMicros(at.getNano());
  }

  private static void sampleHeap(
      MemoryMXBean memory,
      long start,
      AtomicLong replies,
      java.util.concurrent.atomic.AtomicBoolean sampling,
      List<HeapWindow> out,
      boolean collect) {
    long windowEnd = start + HEAP_WINDOW.toNanos();
    long min = Long.MAX_VALUE;
    long max = 0;
    while (sampling.get()) {
      if (collect
          && System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEAP_SAMPLE_MS) >= windowEnd) {
        memory.gc();
      }
      long used = memory.getHeapMemoryUsage().getUsed();
      min = Math.min(min, used);
      max = Math.max(max, used);
      long now = System.nanoTime();
      if (now >= windowEnd) {
        out.add(new HeapWindow((windowEnd - start) / 1e9, replies.get(), min >> 20, max >> 20));
        windowEnd += HEAP_WINDOW.toNanos();
        min = Long.MAX_VALUE;
        max = 0;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(HEAP_SAMPLE_MS));
    }
  }

  /** CPU time of the processes counted with this one, so far. */
  private long alsoCountedCpuNanos() {
    long nanos = 0;
    for (ProcessHandle p : alsoCounted) {
      nanos += p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
    return nanos;
  }

  /** CPU time of this process so far, or 0 where the JVM does not say. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? Math.max(0, os.getProcessCpuTime())
        : 0;
  }
}
