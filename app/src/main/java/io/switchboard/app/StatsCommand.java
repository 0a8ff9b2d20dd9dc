package io.switchboard.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.schemas.ConfigVersion;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.MetricsSummary.Scope;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.kafka.ConsumerProperties;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard stats}: per model and deployment, the expected and actual split, request rate,
 * latency, errors, tokens and cost, and per request class the requests, waits and latency, from the
 * summaries the metrics aggregator publishes. Refreshes in place until stopped; {@code --once}
 * prints one snapshot, {@code --json} prints it as JSON for scripts. The newest version of the live
 * configuration is read from the config topic alongside.
 */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    header = "Shows traffic, latency, errors and cost per model.",
    description = {
      "Shows traffic per model and deployment (split, req/s, latency, errors, tokens, cost), and per",
      "request class (requests, waits, latency), from the metrics summaries topic. Live, it redraws the",
      "screen on a terminal and prints one snapshot after another into a pipe or file."
    })
final class StatsCommand implements Callable<Integer> {
  /** Moves the cursor home and clears the screen (ANSI). */
  static final String CLEAR_SCREEN = "\033[H\033[2J";

  @Mixin ConfigOptions options;

  @Option(names = "--once", description = "Print one snapshot and exit.")
  boolean once;

  @Option(
      names = "--json",
      description =
          "Print JSON instead of a table (with --once: one document; else one per refresh, one per line).")
  boolean json;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "2",
      description = "Seconds between refreshes (default ${DEFAULT-VALUE}).")
  double intervalSeconds;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "How long --once may take to read the summaries topic (default ${DEFAULT-VALUE}).")
  double timeoutSeconds;

  @Spec CommandSpec spec;

  Clock clock = Clock.systemUTC();

  /** The newest config version read from the config topic, or null when it holds none. */
  private ConfigVersion configVersion;

  @Override
  public Integer call() throws Exception {
    ConnectionSettings config = options.connection();
    Topic<String, MetricsSummary> topic = new Topics(config.topics()).summaries();
    String configTopic = new Topics(config.topics()).configVersions().name();
    PrintWriter out = spec.commandLine().getOut();
    Map<String, MetricsSummary> latest = new HashMap<>();
    options.awaitCluster(config.kafka());
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            consumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>(partitions(consumer, topic.name()));
      if (!consumer.partitionsFor(configTopic).isEmpty()) {
        partitions.add(new TopicPartition(configTopic, 0));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
      while (!caughtUp(consumer, end)) {
        if (System.nanoTime() > deadline) {
          spec.commandLine()
              .getErr()
              .println(
                  "stats: could not read "
                      + topic.name()
                      + " to its end within "
                      + timeoutSeconds
                      + " s; showing what was read");
          break;
        }
        read(consumer, topic, latest, Duration.ofMillis(200));
      }
      if (once) {
        print(out, latest);
        return 0;
      }
      AtomicBoolean running = new AtomicBoolean(true);
      Thread main = Thread.currentThread();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    running.set(false);
                    consumer.wakeup();
                    try {
                      main.join(2000);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }));
      Duration interval = Duration.ofMillis((long) (intervalSeconds * 1000));
      boolean terminal = Terminal.stdout();
      try {
        while (running.get()) {
          refresh(out, latest, terminal);
          long next = System.nanoTime() + interval.toNanos();
          while (running.get() && System.nanoTime() < next) {
            read(
                consumer,
                topic,
                latest,
                Duration.ofMillis(Math.max(1, (next - System.nanoTime()) / 1_000_000)));
          }
        }
      } catch (org.apache.kafka.common.errors.WakeupException stopping) {
        return 0;
      }
    }
    return 0;
  }

  private static Properties consumerProperties(ConnectionSettings config) {
    return ConsumerProperties.readCommitted(config.kafka()).toProperties();
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      throw new ErrorReporter.UserError(
          "topic '"
              + topic
              + "' does not exist: start the metrics aggregator "
              + "(it creates the topic and publishes summaries), or run 'switchboard topics'");
    }
    return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
  }

  private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private void read(
      KafkaConsumer<String, byte[]> consumer,
      Topic<String, MetricsSummary> topic,
      Map<String, MetricsSummary> latest,
      Duration wait) {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(wait)) {
      if (!r.topic().equals(topic.name())) {
        // Versions only grow, one partition: the last record read is the newest.
        try {
          configVersion = Json.read(r.value(), ConfigVersion.class);
        } catch (RuntimeException unreadable) {
          // not a version: left out, as the processes leave it out
        }
        continue;
      }
      if (r.value() == null) {
        latest.remove(r.key());
        continue;
      }
      try {
        MetricsSummary s = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
        latest.put(s.key(), s);
      } catch (SerializationException e) {
        spec.commandLine()
            .getErr()
            .println(
                "stats: skipping "
                    + r.topic()
                    + "-"
                    + r.partition()
                    + "@"
                    + r.offset()
                    + ": "
                    + e.getMessage());
      }
    }
  }

  /**
   * One refresh of the live view: on a terminal the screen is cleared first; into a pipe or file
   * the snapshots follow one another, a blank line apart (JSON: one document per line).
   */
  void refresh(PrintWriter out, Map<String, MetricsSummary> latest, boolean terminal) {
    if (terminal && !json) {
      out.print(CLEAR_SCREEN);
    }
    print(out, latest);
    if (!terminal && !json) {
      out.println();
      out.flush();
    }
  }

  private void print(PrintWriter out, Map<String, MetricsSummary> latest) {
    Snapshot snapshot = Snapshot.of(latest, clock.instant());
    ConfigVersion v = configVersion;
    if (json) {
      ObjectNode root = snapshot.toJson();
      root.put("config_version", v == null ? 0 : v.version());
      out.println(Json.toString(root));
    } else {
      out.print(snapshot.table());
      out.printf(
          "%nConfig version %s%n",
          v == null
              ? "0: no version published, processes run on their config files"
              : v.version() + ", published " + v.appliedAt() + " (" + v.description() + ")");
    }
    out.flush();
  }

  /**
   * What {@code stats} shows: the running totals of every model and deployment, with their latest
   * rate.
   */
  record Snapshot(
      Instant at,
      MetricsSummary all,
      List<MetricsSummary> models,
      Map<String, MetricsSummary> deployments,
      Map<String, Double> rates) {

    static Snapshot of(Map<String, MetricsSummary> latest, Instant now) {
      Map<String, MetricsSummary> newestWindow = new HashMap<>();
      List<MetricsSummary> models = new ArrayList<>();
      Map<String, MetricsSummary> deployments = new java.util.TreeMap<>();
      MetricsSummary all = null;
      for (MetricsSummary s : latest.values()) {
        String key = MetricsSummary.key(s.scope(), s.name(), null);
        if (!s.total()) {
          newestWindow.merge(key, s, (a, b) -> a.windowStart().isAfter(b.windowStart()) ? a : b);
        } else if (s.scope() == Scope.MODEL) {
          models.add(s);
        } else if (s.scope() == Scope.DEPLOYMENT) {
          deployments.put(s.name(), s);
        } else {
          all = s;
        }
      }
      models.sort(Comparator.comparing(MetricsSummary::name));
      Map<String, Double> rates = new HashMap<>();
      newestWindow.forEach((key, w) -> rates.put(key, rate(w, now)));
      return new Snapshot(now, all, models, deployments, rates);
    }

    /**
     * Requests per second in a window: over its elapsed part while it is current, 0 once it is a
     * minute old.
     */
    static double rate(MetricsSummary window, Instant now) {
      if (now.isAfter(window.windowEnd().plusSeconds(60))) {
        return 0;
      }
      Instant until = now.isBefore(window.windowEnd()) ? now : window.windowEnd();
      double seconds =
          Math.max(1, Duration.between(window.windowStart(), until).toMillis() / 1000.0);
      return (window.routed() + window.rerouted()) / seconds;
    }

    double rateOf(Scope scope, String name) {
      return rates.getOrDefault(MetricsSummary.key(scope, name, null), 0.0);
    }

    ObjectNode toJson() {
      ObjectNode root = Json.mapper().createObjectNode();
      root.put("at", at.toString());
      if (all != null) {
        root.set("all", row(all, rateOf(Scope.ALL, all.name())));
      }
      ArrayNode modelRows = root.putArray("models");
      for (MetricsSummary m : models) {
        ObjectNode row = row(m, rateOf(Scope.MODEL, m.name()));
        ArrayNode shares = row.putArray("deployments");
        for (MetricsSummary.Share share : m.shares()) {
          ObjectNode s = shares.addObject();
          s.put("deployment_id", share.deploymentId());
          s.put("expected_share", share.expected());
          s.put("actual_share", share.actual());
          s.put("routed", share.routed());
        }
        modelRows.add(row);
      }
      ArrayNode deploymentRows = root.putArray("deployments");
      deployments
          .values()
          .forEach(d -> deploymentRows.add(row(d, rateOf(Scope.DEPLOYMENT, d.name()))));
      return root;
    }

    private static ObjectNode row(MetricsSummary s, double rate) {
      ObjectNode row = Json.mapper().createObjectNode();
      row.put("name", s.name());
      row.put("routed", s.routed());
      row.put("rerouted", s.rerouted());
      row.put("requests_per_second", Math.round(rate * 100) / 100.0);
      row.put("attempts", s.attempts());
      row.put("successes", s.successes());
      row.put("errors", s.errors());
      row.put("retries", s.retries());
      row.put("fallbacks", s.fallbacks());
      row.put("replies", s.replies());
      row.put("expired", s.expired());
      row.set("outcomes", Json.tree(s.outcomes()));
      row.set("reply_errors", Json.tree(s.replyErrors()));
      row.put("p50_ms", s.latency().p50Ms());
      row.put("p99_ms", s.latency().p99Ms());
      row.put("tokens_in", s.tokensIn());
      row.put("tokens_out", s.tokensOut());
      row.put("cost_usd", s.costUsd());
      row.set("classes", StatsByClass.json(s));
      row.put("updated_at", s.updatedAt().toString());
      return row;
    }

    String table() {
      StringBuilder b = new StringBuilder();
      String format = "%-28s %9s %9s %9s %8s %8s %7s %7s %10s %10s %10s%n";
      b.append(String.format(Locale.ROOT, "Switchboard stats at %s%n%n", at));
      b.append(
          String.format(
              Locale.ROOT,
              format,
              "MODEL / DEPLOYMENT",
              "EXPECTED",
              "ACTUAL",
              "ROUTED",
              "REQ/S",
              "P50 ms",
              "P99 ms",
              "ERRORS",
              "TOKENS IN",
              "TOKENS OUT",
              "COST $"));
      if (models.isEmpty()) {
        b.append(
            "(no summaries yet: is the metrics aggregator running, and has traffic flowed?)\n");
      }
      for (MetricsSummary m : models) {
        b.append(line(format, m.name(), "", "", m, rateOf(Scope.MODEL, m.name())));
        for (MetricsSummary.Share share : m.shares()) {
          MetricsSummary d = deployments.get(share.deploymentId());
          b.append(
              String.format(
                  Locale.ROOT,
                  format,
                  "  " + share.deploymentId(),
                  percent(share.expected()),
                  percent(share.actual()),
                  share.routed(),
                  d == null ? "" : rate(rateOf(Scope.DEPLOYMENT, d.name())),
                  d == null ? "" : d.latency().p50Ms(),
                  d == null ? "" : d.latency().p99Ms(),
                  d == null ? "" : d.errors(),
                  d == null ? "" : d.tokensIn(),
                  d == null ? "" : d.tokensOut(),
                  d == null ? "" : cost(d.costUsd())));
        }
      }
      Optional.ofNullable(all)
          .ifPresent(
              a ->
                  b.append(line(format, "ALL", "", "", a, rateOf(Scope.ALL, a.name())))
                      .append(
                          String.format(
                              Locale.ROOT,
                              "%nReplies %d (expired %d); errors by code %s; outcomes %s%n",
                              a.replies(),
                              a.expired(),
                              a.replyErrors(),
                              a.outcomes()))
                      .append(StatsByClass.table(a)));
      return b.toString();
    }

    private static String line(
        String format, String name, String expected, String actual, MetricsSummary s, double rate) {
      return String.format(
          Locale.ROOT,
          format,
          name,
          expected,
          actual,
          s.routed(),
          rate(rate),
          s.latency().p50Ms(),
          s.latency().p99Ms(),
          s.errors(),
          s.tokensIn(),
          s.tokensOut(),
          cost(s.costUsd()));
    }

    private static String percent(double share) {
      return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static String rate(double rate) {
      return String.format(Locale.ROOT, "%.1f", rate);
    }

    private static String cost(double usd) {
      return String.format(Locale.ROOT, "%.4f", usd);
    }
  }
}
