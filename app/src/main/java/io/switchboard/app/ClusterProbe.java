package io.switchboard.app;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the Kafka cluster a command names whether it answers, once, with a bound: the command logs
 * "connecting to HOST..." while it waits and "connected" when the cluster answers; a cluster that
 * does not answer in time ends the command with {@link ClusterUnreachableException} (exit {@value
 * ErrorReporter#EXIT_UNREACHABLE}) rather than after the Kafka clients' own minute of retries.
 */
final class ClusterProbe {
  private static final Logger log = LoggerFactory.getLogger(ClusterProbe.class);

  /** How long a command waits for the cluster by default ({@code --connect-timeout}). */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private ClusterProbe() {}

  /**
   * Waits until the cluster answers, or throws {@link ClusterUnreachableException} after {@code
   * timeout}.
   */
  static void await(Map<String, String> kafka, Duration timeout) throws InterruptedException {
    try {
      start(kafka, timeout).get();
    } catch (ExecutionException e) {
      throw rethrown(e.getCause());
    }
  }

  /**
   * Runs {@code body} while the cluster is asked, for a command whose own checks of its input
   * (files, options) come before it talks to Kafka: whichever ends first decides. An error of
   * {@code body} is thrown as it is; a cluster that does not answer in time throws {@link
   * ClusterUnreachableException} without waiting for {@code body}, which is left to fail on its own
   * (the process exits with the command).
   */
  static <T> T whileConnecting(Map<String, String> kafka, Duration timeout, Callable<T> body)
      throws Exception {
    CompletableFuture<T> work = new CompletableFuture<>();
    Thread runner =
        new Thread(
            () -> {
              try {
                work.complete(body.call());
              } catch (Throwable t) {
                work.completeExceptionally(t);
              }
            },
            "switchboard-command");
    runner.setDaemon(true);
    runner.start();
    CompletableFuture<Void> probe = start(kafka, timeout);
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    probe.whenComplete(
        (ok, error) -> {
          if (error != null) {
            failed.complete(error);
          }
        });
    CompletableFuture.anyOf(work.handle((v, e) -> null), failed).join();
    if (!work.isDone()) {
      throw rethrown(failed.join());
    }
    probe.cancel(true);
    try {
      return work.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception x) {
        throw x;
      }
      throw (Error) e.getCause();
    }
  }

  /**
   * Asks the cluster; the future ends when it answered, or fails when it did not within {@code
   * timeout}.
   */
  private static CompletableFuture<Void> start(Map<String, String> kafka, Duration timeout) {
    String servers = kafka.get("bootstrap.servers");
    log.info("connecting to the Kafka cluster at {}...", servers);
    Admin admin = Admin.create(new HashMap<String, Object>(kafka));
    DescribeClusterOptions options =
        new DescribeClusterOptions()
            .timeoutMs((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    CompletableFuture<Void> answered = new CompletableFuture<>();
    admin
        .describeCluster(options)
        .nodes()
        .whenComplete(
            (nodes, error) -> {
              if (error == null) {
                log.info("connected to the Kafka cluster at {} ({})", servers, brokers(nodes));
                answered.complete(null);
              } else {
                answered.completeExceptionally(
                    error instanceof TimeoutException
                        ? new ClusterUnreachableException(servers, timeout, error)
                        : error);
              }
            });
    // Not on the admin client's own thread, which answers the call above; nothing is left to wait
    // for.
    answered.whenCompleteAsync((ok, error) -> admin.close(Duration.ZERO));
    return answered;
  }

  private static String brokers(Collection<Node> nodes) {
    return nodes.size() == 1 ? "1 broker" : nodes.size() + " brokers";
  }

  private static RuntimeException rethrown(Throwable error) {
    if (error instanceof RuntimeException r) {
      return r;
    }
    return new IllegalStateException(error);
  }
}
