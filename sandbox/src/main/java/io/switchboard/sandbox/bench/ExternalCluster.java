package io.switchboard.sandbox.bench;

import io.switchboard.testkit.kafka.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka cluster that the bench runs against but did not start ({@code --bootstrap-servers}). Its
 * brokers' CPU is not part of the bench's figures. Closing it stops nothing; {@link #removeRun}
 * deletes what one run created there.
 */
public final class ExternalCluster implements KafkaBroker {
  private static final Logger log = LoggerFactory.getLogger(ExternalCluster.class);

  private final String bootstrapServers;

  /**
   * @param bootstrapServers {@code host:port[,host:port...]}, checked by the command line
   */
  public ExternalCluster(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers.trim();
  }

  /**
   * A name suffix for one run, unique enough for the runs on one cluster ({@code .bench-} and base
   * 36 time).
   */
  public static String runSuffix() {
    return ".bench-" + Long.toString(System.currentTimeMillis(), 36);
  }

  /** Thrown when the cluster does not answer. */
  public static final class UnreachableException extends RuntimeException {
    UnreachableException(String message) {
      super(message);
    }
  }

  /**
   * Fails within {@code timeout} unless the cluster answers a describe-cluster request with {@code
   * kafka} (the config's client properties, with this cluster's bootstrap servers).
   */
  public void checkReachable(Map<String, String> kafka, Duration timeout) {
    Map<String, Object> p = new HashMap<>(kafka);
    p.put("bootstrap.servers", bootstrapServers);
    p.put("request.timeout.ms", (int) timeout.toMillis());
    p.put("default.api.timeout.ms", (int) timeout.toMillis());
    try (Admin admin = Admin.create(p)) {
      int brokers =
          admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
      log.info("Kafka cluster at {}: {} broker(s)", bootstrapServers, brokers);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new UnreachableException(
          "--bootstrap-servers "
              + bootstrapServers
              + ": no answer from the cluster within "
              + timeout.toSeconds()
              + " s ("
              + cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage())
              + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnreachableException("interrupted while reaching " + bootstrapServers);
    }
  }

  @Override
  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public String describe() {
    return "Kafka cluster at "
        + bootstrapServers
        + " (not started here: its brokers' CPU is not counted)";
  }

  @Override
  public void close() {}

  /**
   * Deletes the run's topics and consumer groups: those whose names end in {@code suffix} or go on
   * from it with a {@code -} (Kafka Streams' changelogs, the reply readers, the baselines). A group
   * that still has members (a client that did not stop) is left to expire with their sessions;
   * anything else that cannot be deleted within 30 s is logged and left.
   */
  public static void removeRun(Map<String, String> kafka, String suffix) {
    try (Admin admin = Admin.create(new HashMap<String, Object>(kafka))) {
      List<String> topics =
          admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
              .filter(t -> ofRun(t, suffix))
              .toList();
      admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
      List<String> groups =
          admin.listGroups().all().get(30, TimeUnit.SECONDS).stream()
              .map(GroupListing::groupId)
              .filter(g -> ofRun(g, suffix))
              .toList();
      List<String> left = new ArrayList<>();
      admin
          .deleteConsumerGroups(groups)
          .deletedGroups()
          .forEach(
              (group, deleted) -> {
                try {
                  deleted.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException | InterruptedException e) {
                  left.add(group);
                }
              });
      log.info(
          "removed the run's {} topics and {} of its {} consumer groups{}",
          topics.size(),
          groups.size() - left.size(),
          groups.size(),
          left.isEmpty() ? "" : "; " + left + " still had members and expire with their sessions");
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.warn("the run's topics and groups ({}) were not all removed: {}", suffix, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static boolean ofRun(String name, String suffix) {
    return name.endsWith(suffix) || name.contains(suffix + "-");
  }
}
