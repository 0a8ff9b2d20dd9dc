package io.switchboard.app.reliability;

import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.mock.Call;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Request load, reply collection and group checks for the reliability tests. */
final class Traffic {
  private Traffic() {}

  /** A valid chat request for {@code model}. */
  static byte[] request(String id, String model) {
    return ("{\"id\":\""
            + id
            + "\",\"model\":\""
            + model
            + "\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"hello "
            + id
            + "\"}],\"max_tokens\":16}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Sends raw request records, waiting until each is acknowledged. */
  static void sendAll(Map<String, String> kafka, String topic, Map<String, byte[]> records) {
    try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      records.forEach(
          (key, value) -> acks.add(producer.send(new ProducerRecord<>(topic, key, value))));
      for (java.util.concurrent.Future<?> ack : acks) {
        ack.get(60, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("a request was not acknowledged: " + e, e);
    }
  }

  static KafkaProducer<String, byte[]> producer(Map<String, String> kafka) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("delivery.timeout.ms", "180000");
    p.put("max.block.ms", "120000");
    p.put("linger.ms", "5");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * Publishes requests {@code prefix-0, prefix-1, ...} at a steady rate on a background thread
   * until {@link #stop()} or {@code max} requests, whichever comes first.
   */
  static final class Load implements AutoCloseable {
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger failed = new AtomicInteger();
    private final Thread thread;

    Load(
        Map<String, String> kafka,
        String topic,
        String prefix,
        String model,
        int perSecond,
        int max) {
      thread =
          new Thread(
              () -> {
                try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                  long start = System.nanoTime();
                  for (int i = 0; i < max && !stop.get(); i++) {
                    long due = start + TimeUnit.SECONDS.toNanos(i) / perSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                      TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    String id = prefix + "-" + i;
                    producer.send(
                        new ProducerRecord<>(topic, id, request(id, model)),
                        (meta, error) -> {
                          if (error != null) {
                            failed.incrementAndGet();
                          }
                        });
                    sent.add(id);
                  }
                  producer.flush();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "load-" + prefix);
      thread.setDaemon(true);
      thread.start();
    }

    int sentCount() {
      return sent.size();
    }

    /** Waits until at least {@code n} requests were handed to the producer (at most 120 s). */
    void awaitSent(int n) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (sent.size() < n && thread.isAlive() && System.nanoTime() < end) {
        Thread.sleep(20);
      }
    }

    /** Stops sending and waits until everything sent is acknowledged; returns the ids sent. */
    List<String> stop() throws InterruptedException {
      stop.set(true);
      return finish();
    }

    /** Waits for the load to end by itself (at most 180 s); returns the ids sent. */
    List<String> finish() throws InterruptedException {
      thread.join(TimeUnit.SECONDS.toMillis(180));
      if (thread.isAlive()) {
        throw new IllegalStateException("load still sending after 180 s");
      }
      if (failed.get() > 0) {
        throw new IllegalStateException(
            failed.get() + " requests were not acknowledged by the broker");
      }
      return List.copyOf(sent);
    }

    @Override
    public void close() {
      stop.set(true);
      thread.interrupt();
    }
  }

  /** Every reply read on a topic: how many per id, and the last one of each. */
  record Replies(Map<String, Integer> counts, Map<String, RouteReply> last) {
    /** Ids in {@code expected} without a reply. */
    List<String> missing(Collection<String> expected) {
      return expected.stream().filter(id -> !counts.containsKey(id)).toList();
    }

    /** Ids with more than one reply, with their counts. */
    Map<String, Integer> duplicated() {
      return counts.entrySet().stream()
          .filter(e -> e.getValue() > 1)
          .collect(
              Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    }
  }

  /**
   * Reads the reply topic {@code read_committed} from the beginning until every id in {@code
   * expected} has a reply or {@code max} passes, then goes on for {@code quiet} to see late
   * duplicates. Replies to other ids are ignored.
   */
  static Replies collect(
      Map<String, String> kafka,
      String topic,
      Collection<String> expected,
      Duration max,
      Duration quiet) {
    Properties p = new Properties();
    p.putAll(kafka);
    p.put("group.id", "reliability-reader-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    Set<String> wanted = Set.copyOf(expected);
    Map<String, Integer> counts = new HashMap<>();
    Map<String, RouteReply> last = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long end = System.nanoTime() + max.toNanos();
      long quietEnd = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(end, quietEnd)) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.key() != null && wanted.contains(r.key())) {
            counts.merge(r.key(), 1, Integer::sum);
            last.put(
                r.key(),
                Json.mapper()
                    .convertValue(
                        Json.parse(new String(r.value(), StandardCharsets.UTF_8)),
                        RouteReply.class));
          }
        }
        if (quietEnd == Long.MAX_VALUE && counts.keySet().containsAll(wanted)) {
          quietEnd = System.nanoTime() + quiet.toNanos();
        }
      }
    }
    return new Replies(counts, last);
  }

  /**
   * Provider calls per request id among the ids that start with {@code prefix}, only those called
   * more than once.
   */
  static Map<String, Long> repeatedCalls(List<Call> calls, String prefix) {
    return calls.stream()
        .filter(c -> c.requestId() != null && c.requestId().startsWith(prefix))
        .collect(Collectors.groupingBy(Call::requestId, TreeMap::new, Collectors.counting()))
        .entrySet()
        .stream()
        .filter(e -> e.getValue() > 1)
        .collect(
            Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
  }

  /** Prints what a failover cost, for the test report. */
  static void report(
      String what, int requests, Replies replies, Map<String, Long> repeated, long calls) {
    System.out.printf(
        "[reliability] %s: %d requests, %d replied, %d duplicated replies, %d provider calls,"
            + " %d requests called more than once%s%n",
        what,
        requests,
        replies.counts().size(),
        replies.duplicated().size(),
        calls,
        repeated.size(),
        repeated.isEmpty() ? "" : " " + first(repeated, 10));
  }

  private static String first(Map<String, Long> m, int n) {
    return m.entrySet().stream()
        .limit(n)
        .map(e -> e.getKey() + "x" + e.getValue())
        .collect(Collectors.joining(", ", "(", m.size() > n ? ", ...)" : ")"));
  }

  /**
   * Waits until the consumer group has {@code members} members and is stable (at most {@code
   * timeout}).
   */
  static void awaitGroup(Map<String, String> kafka, String groupId, int members, Duration timeout)
      throws InterruptedException {
    awaitGroup(kafka, groupId, members, timeout, () -> "");
  }

  /**
   * As {@link #awaitGroup(Map, String, int, Duration)}; the failure also says what {@code
   * diagnostics} tells (the members' log tails, for instance).
   */
  static void awaitGroup(
      Map<String, String> kafka,
      String groupId,
      int members,
      Duration timeout,
      java.util.function.Supplier<String> diagnostics)
      throws InterruptedException {
    Map<String, Object> p = new LinkedHashMap<>(kafka);
    try (Admin admin = Admin.create(p)) {
      long end = System.nanoTime() + timeout.toNanos();
      String seen = "nothing";
      while (System.nanoTime() < end) {
        try {
          ConsumerGroupDescription d =
              admin
                  .describeConsumerGroups(List.of(groupId))
                  .all()
                  .get(5, TimeUnit.SECONDS)
                  .get(groupId);
          seen = d.groupState() + " with " + d.members().size() + " members";
          if (d.groupState() == GroupState.STABLE
              && d.members().size() == members
              && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          seen = e.toString();
        }
        Thread.sleep(250);
      }
      throw new IllegalStateException(
          "group "
              + groupId
              + " did not reach "
              + members
              + " stable members within "
              + timeout
              + "; last seen: "
              + seen
              + "\n"
              + diagnostics.get());
    }
  }

  /** {@code f} applied to each element, as a map; a small helper for readable assertions. */
  static <T> Map<String, T> by(Collection<String> ids, Function<String, T> f) {
    Map<String, T> m = new LinkedHashMap<>();
    ids.forEach(id -> m.put(id, f.apply(id)));
    return m;
  }
}
