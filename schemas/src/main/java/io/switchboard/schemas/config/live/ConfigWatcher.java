package io.switchboard.schemas.config.live;

import io.switchboard.schemas.ConfigVersion;
import io.switchboard.schemas.config.ConfigException;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.LanePlan;
import io.switchboard.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a process's {@link LiveConfig} on the newest version of the config topic that it can apply.
 * A consumer without a group reads the topic's one partition from the beginning: {@link #start}
 * reads it to its end and puts the newest version that applies in force before the process starts
 * work; then a background thread polls every {@link #POLL} for new versions.
 *
 * <p>A version is applied by {@link LiveSections#apply} over the process's start-up config. One
 * that does not apply (an invalid body, or a lane plan larger than the dispatch topic) is refused:
 * one log line, one count in {@link LiveConfig#rejected()}, and the version in force stays.
 */
public final class ConfigWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

  /** How long a poll waits for new versions: a new version is in force within about this. */
  public static final Duration POLL = Duration.ofMillis(500);

  private final SwitchboardConfig local;
  private final LiveConfig live;
  private final String process;
  private final String topic;
  private final String dispatchTopic;
  private final Consumer<String, byte[]> consumer;
  private volatile boolean closed;
  private Thread thread;

  /**
   * @param local the process's start-up config: its Kafka properties and topics, and what every
   *     version's live sections are applied over
   * @param process names the process in log lines (router, worker)
   */
  public ConfigWatcher(SwitchboardConfig local, LiveConfig live, String process) {
    this.local = local;
    this.live = live;
    this.process = process;
    Topics topics = new Topics(local.topics());
    this.topic = topics.configVersions().name();
    this.dispatchTopic = topics.dispatch().name();
    this.consumer = ConfigVersions.consumer(local.kafka());
  }

  /**
   * Reads the config topic to its end and puts its newest version that applies in force, then
   * watches for new ones in the background.
   *
   * @param timeout how long reading to the end may take
   */
  public synchronized void start(Duration timeout) {
    if (thread != null) {
      throw new IllegalStateException("config watcher already started");
    }
    boolean assigned = false;
    try {
      List<ConsumerRecord<String, byte[]>> records =
          ConfigVersions.readToEnd(consumer, topic, timeout);
      assigned = !consumer.assignment().isEmpty();
      catchUp(records);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      log.warn(
          "{}: config topic '{}' not read ({}); running on config version {} and watching it",
          process,
          topic,
          e.getMessage(),
          live.version());
    }
    boolean fromStart = !assigned;
    thread = new Thread(() -> watch(fromStart), "switchboard-config-watcher-" + process);
    thread.setDaemon(true);
    thread.start();
  }

  /** Applies the newest version that applies; those newer than it are refused. */
  private void catchUp(List<ConsumerRecord<String, byte[]>> records) {
    List<ConsumerRecord<String, byte[]>> newestFirst = new ArrayList<>(records);
    newestFirst.sort(
        Comparator.comparingLong((ConsumerRecord<String, byte[]> r) -> r.offset()).reversed());
    for (ConsumerRecord<String, byte[]> r : newestFirst) {
      if (offer(r)) {
        return;
      }
    }
  }

  private void watch(boolean assignFirst) {
    boolean assigned = !assignFirst;
    while (!closed) {
      try {
        if (!assigned) {
          assigned = assign();
          if (!assigned) {
            Thread.sleep(POLL.toMillis());
            continue;
          }
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          offer(r);
        }
      } catch (WakeupException | InterruptException | InterruptedException e) {
        break;
      } catch (RuntimeException e) {
        if (!closed) {
          log.warn(
              "{}: reading config topic '{}' failed ({}); trying again",
              process,
              topic,
              e.toString());
          sleepQuietly();
        }
      }
    }
    consumer.close(Duration.ofSeconds(5));
  }

  /** Assigns the topic from its beginning once it exists. */
  private boolean assign() {
    Optional<org.apache.kafka.common.TopicPartition> tp = ConfigVersions.partition(consumer, topic);
    tp.ifPresent(
        p -> {
          consumer.assign(List.of(p));
          consumer.seekToBeginning(List.of(p));
        });
    return tp.isPresent();
  }

  /**
   * Puts the record's version in force if it is newer and applies.
   *
   * @return whether it is in force now
   */
  private boolean offer(ConsumerRecord<String, byte[]> record) {
    Optional<ConfigVersion> decoded = ConfigVersions.decode(record);
    if (decoded.isEmpty()) {
      refuse(
          "record at " + topic + "@" + record.offset() + " (key " + record.key() + ")",
          "not a readable config version");
      return false;
    }
    ConfigVersion v = decoded.get();
    if (v.version() <= live.version()) {
      return false;
    }
    String source = "config version " + v.version();
    try {
      SwitchboardConfig next = LiveSections.apply(v.config(), local, source);
      checkLanes(next, source);
      live.update(v.version(), next);
      log.info(
          "{}: config version {} in force ({})",
          process,
          v.version(),
          v.description() == null ? "no description" : v.description());
      return true;
    } catch (ConfigException e) {
      refuse(source, e.getMessage());
      return false;
    }
  }

  /** A version whose lanes the dispatch topic cannot hold would route to partitions of others. */
  private void checkLanes(SwitchboardConfig next, String source) {
    int needed = LanePlan.of(next).partitions();
    int have = dispatchPartitions();
    if (have > 0 && needed > have) {
      throw new ConfigException(
          source
              + ": its lanes need "
              + needed
              + " partitions of '"
              + dispatchTopic
              + "', which has "
              + have);
    }
  }

  /** The dispatch topic's partitions (0 when not known), asked afresh when the cache is short. */
  private int dispatchPartitions() {
    List<PartitionInfo> cached = consumer.partitionsFor(dispatchTopic);
    int have = cached == null ? 0 : cached.size();
    List<PartitionInfo> fresh =
        consumer.listTopics(Duration.ofSeconds(5)).getOrDefault(dispatchTopic, List.of());
    return Math.max(have, fresh.size());
  }

  private void refuse(String what, String reason) {
    live.rejectedOne();
    log.warn(
        "{}: {} not applied, keeping config version {}: {}",
        process,
        what,
        live.version(),
        reason.lines().map(String::strip).reduce((a, b) -> a + " " + b).orElse(""));
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops watching; the version in force stays. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
    }
    if (t == null) {
      consumer.close(Duration.ofSeconds(5));
      return;
    }
    consumer.wakeup();
    try {
      t.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
