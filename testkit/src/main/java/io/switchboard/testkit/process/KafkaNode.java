package io.switchboard.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;

/**
 * One Kafka server ({@code kafka.Kafka}) in a child JVM, with its properties, data and one log file
 * per start in a directory of its own. It can be stopped ({@link #stop()}), killed ({@link
 * #kill()}) and started again on the same ports and data ({@link #restart()}). {@link
 * KafkaServerProcess} is one such node (controller and broker in one); {@link KafkaClusterProcess}
 * runs a controller and several brokers.
 */
public final class KafkaNode {
  private final String name;
  private final int nodeId;
  private final Path dir;
  private final Path properties;
  private final Path log4j;
  private final int port;
  private final Map<String, String> clientProperties;
  private final Duration startTimeout;
  private final List<String> heapAndGc;
  private int starts;
  private ChildJvm process;

  private KafkaNode(
      String name,
      int nodeId,
      Path dir,
      int port,
      Map<String, String> clientProperties,
      Duration startTimeout,
      List<String> heapAndGc) {
    this.name = name;
    this.nodeId = nodeId;
    this.dir = dir;
    this.properties = dir.resolve("server.properties");
    this.log4j = dir.resolve("log4j2.xml");
    this.port = port;
    this.clientProperties = clientProperties == null ? null : Map.copyOf(clientProperties);
    this.startTimeout = startTimeout;
    this.heapAndGc = List.copyOf(heapAndGc);
  }

  /**
   * Writes a node's properties and log configuration into {@code dir} (its data goes to {@code
   * dir/data}); nothing runs yet.
   *
   * @param port the port that answers once the node runs: the broker listener's, or the controller
   *     listener's for a controller alone
   * @param clientProperties what reaches the broker listener ({@code bootstrap.servers} included);
   *     a node started with them is ready once it serves the cluster's metadata with itself in it.
   *     Null for a controller alone, which is ready once its port accepts connections.
   */
  static KafkaNode write(
      String name,
      int nodeId,
      Path dir,
      Properties props,
      int port,
      Map<String, String> clientProperties,
      Duration startTimeout,
      String logLevel,
      List<String> heapAndGc) {
    KafkaNode node =
        new KafkaNode(name, nodeId, dir, port, clientProperties, startTimeout, heapAndGc);
    Properties all = new Properties();
    all.put("node.id", String.valueOf(nodeId));
    all.put("log.dirs", dir.resolve("data").toString());
    all.putAll(props);
    try {
      Files.createDirectories(dir);
      try (Writer w = Files.newBufferedWriter(node.properties, StandardCharsets.UTF_8)) {
        all.store(w, "KRaft node " + name + " for tests");
      }
      Files.writeString(
          node.log4j,
          """
          <?xml version="1.0" encoding="UTF-8"?>
          <Configuration status="WARN">
            <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n"/></Console></Appenders>
            <Loggers>
              <Logger name="kafka.server.ReplicaManager" level="FATAL"/>
              <Root level="LEVEL"><AppenderRef ref="out"/></Root>
            </Loggers>
          </Configuration>
          """
              .replace("LEVEL", logLevel));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the configuration of " + name + " in " + dir, e);
    }
    return node;
  }

  /**
   * Formats the storage of every node at once ({@code kafka.tools.StorageTool format}), each in a
   * child JVM of its own, and waits for all of them.
   *
   * @param formatArgs arguments after {@code format -t CLUSTER_ID -c FILE}, such as {@code
   *     --standalone}
   */
  static void format(
      Collection<KafkaNode> nodes, String clusterId, Duration timeout, String... formatArgs)
      throws InterruptedException {
    List<ChildJvm> running = new ArrayList<>();
    try {
      for (KafkaNode node : nodes) {
        List<String> args =
            new ArrayList<>(
                List.of(
                    "format",
                    "--ignore-formatted",
                    "-t",
                    clusterId,
                    "-c",
                    node.properties.toString()));
        args.addAll(List.of(formatArgs));
        running.add(
            ChildJvm.builder("kafka.tools.StorageTool")
                .name(node.name + "-format")
                .jvmArgs("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .jvmArgs("-Dlog4j2.configurationFile=" + node.log4j.toUri())
                .args(args.toArray(String[]::new))
                .log(node.dir.resolve("format.log"))
                .start());
      }
      for (ChildJvm format : running) {
        int code = format.awaitExit(timeout);
        if (code != 0) {
          throw new IllegalStateException(
              format.name() + " failed with exit code " + code + "\n" + format.tail());
        }
      }
    } finally {
      running.forEach(ChildJvm::close);
    }
  }

  /** The node's {@code node.id}. */
  public int nodeId() {
    return nodeId;
  }

  /** A name for messages, such as {@code kafka-broker-2}. */
  public String name() {
    return name;
  }

  /** The port that answers once the node runs (see {@link #write}). */
  public int port() {
    return port;
  }

  /** The running process, or the last one (changes with every start). */
  public ChildJvm process() {
    return process;
  }

  /** Whether the node's process runs. */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The directory holding properties, data and one log file per start ({@code NAME-N.log}). */
  public Path directory() {
    return dir;
  }

  /** Starts the process without waiting for it to answer; {@link #awaitReady()} waits. */
  void launch() {
    starts++;
    process =
        ChildJvm.builder("kafka.Kafka")
            .name(name + "-" + starts)
            .jvmArgs(heapAndGc.toArray(String[]::new))
            .jvmArgs("-Dlog4j2.configurationFile=" + log4j.toUri())
            .args(properties.toString())
            .log(dir.resolve(name + "-" + starts + ".log"))
            .start();
  }

  /**
   * Graceful stop: SIGTERM and wait (SIGKILL after 60 s). A broker hands its partitions' leadership
   * over first.
   */
  public void stop() throws InterruptedException {
    if (process != null) {
      process.stop(Duration.ofSeconds(60));
    }
  }

  /** SIGKILL: the node gets no chance to flush, hand anything over or close anything. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.kill();
    }
  }

  /**
   * Starts the node again on the same ports and data; stops it first if it is running. Waits until
   * it answers.
   */
  public void restart() throws InterruptedException {
    if (isAlive()) {
      stop();
    }
    launch();
    awaitReady();
  }

  /** Kills the process if it still runs. */
  void close() {
    if (process != null) {
      process.close();
    }
  }

  /**
   * Waits until the node answers (see {@link #write}), or throws when it exits or the start timeout
   * passes.
   */
  void awaitReady() throws InterruptedException {
    long end = System.nanoTime() + startTimeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.awaitExit(Duration.ZERO) + "\n" + process.tail());
      }
      if (!accepting()) {
        Thread.sleep(100);
        continue;
      }
      if (clientProperties == null) {
        return;
      }
      try (Admin client = Admin.create(readinessClient())) {
        List<Integer> ids =
            client.describeCluster().nodes().get(3, TimeUnit.SECONDS).stream()
                .map(Node::id)
                .toList();
        if (ids.contains(nodeId)) {
          return;
        }
        last =
            new IllegalStateException(
                "the cluster's brokers are " + ids + ", without " + nodeId + " yet");
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        name
            + " not answering on 127.0.0.1:"
            + port
            + " after "
            + startTimeout
            + ": "
            + last
            + "\n"
            + process.tail());
  }

  private Map<String, Object> readinessClient() {
    Map<String, Object> admin = new LinkedHashMap<>(clientProperties);
    admin.put("request.timeout.ms", "2000");
    admin.put("default.api.timeout.ms", "3000");
    admin.put("reconnect.backoff.max.ms", "500");
    return admin;
  }

  /** Whether the port accepts connections yet (a quiet check before the admin client's). */
  private boolean accepting() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
