package io.switchboard.testkit.process;

import io.switchboard.testkit.kafka.InProcessKafkaBroker;
import io.switchboard.testkit.kafka.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (combined KRaft controller and broker) in a child JVM, from the
 * Kafka jars on this JVM's class path ({@code kafka.Kafka}, storage formatted with {@code
 * kafka.tools.StorageTool format --standalone}). Unlike the in-process broker it can be killed for
 * real ({@link #kill()}), stopped ({@link #stop()}) and started again on the same ports and data
 * ({@link #restart()}).
 *
 * <p>Ports are chosen before the start. The broker listener is named {@code BROKER}; its security
 * protocol is {@code PLAINTEXT} unless {@link Builder#securityProtocol(String)} says otherwise, in
 * which case the {@code listener.name.broker.*} properties and the matching {@link
 * Builder#clientProperty(String, String) client properties} are the caller's to give.
 */
public final class KafkaServerProcess implements KafkaBroker {
  private final Path dir;
  private final KafkaNode node;
  private final Map<String, String> clientProperties;
  private boolean closed;

  private KafkaServerProcess(Path dir, KafkaNode node, Map<String, String> clientProperties) {
    this.dir = dir;
    this.node = node;
    this.clientProperties = Map.copyOf(clientProperties);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Formats and starts a PLAINTEXT broker with the single-node defaults. */
  public static KafkaServerProcess start() throws InterruptedException {
    return builder().start();
  }

  @Override
  public String bootstrapServers() {
    return "127.0.0.1:" + node.port();
  }

  @Override
  public Map<String, String> clientProperties() {
    return withBootstrap(clientProperties, bootstrapServers());
  }

  private static Map<String, String> withBootstrap(
      Map<String, String> clientProperties, String bootstrap) {
    Map<String, String> p = new LinkedHashMap<>(clientProperties);
    p.put("bootstrap.servers", bootstrap);
    return p;
  }

  @Override
  public String describe() {
    ChildJvm process = node.process();
    return "Kafka broker process at "
        + bootstrapServers()
        + (process == null ? "" : " (pid " + process.pid() + ")");
  }

  /** The running process (changes with every {@link #restart()}). */
  public ChildJvm process() {
    return node.process();
  }

  /** The directory holding properties, data and one log file per start ({@code broker-N.log}). */
  public Path directory() {
    return dir;
  }

  /** Graceful stop: SIGTERM and wait (SIGKILL after 60 s). */
  public void stop() throws InterruptedException {
    node.stop();
  }

  /** SIGKILL: the broker gets no chance to flush or close anything. */
  public void kill() throws InterruptedException {
    node.kill();
  }

  /**
   * Starts the broker again on the same ports and data; stops it first if it is running. Waits
   * until it answers.
   */
  public void restart() throws InterruptedException {
    node.restart();
  }

  /** Kills the broker if it runs and deletes its directory. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    node.close();
    Directories.delete(dir);
  }

  /** The single-node settings a broker needs, as for the in-process broker. */
  static Map<String, String> singleNodeDefaults() {
    return new LinkedHashMap<>(InProcessKafkaBroker.singleNodeDefaults());
  }

  /** Builds a {@link KafkaServerProcess}. */
  public static final class Builder extends KafkaNodeOptions<Builder> {
    private final Map<String, String> clientProperties = new LinkedHashMap<>();
    private String securityProtocol = "PLAINTEXT";

    /** Starts within 90 s by default. */
    private Builder() {
      super(Duration.ofSeconds(90));
    }

    /**
     * The security protocol of the {@code BROKER} listener (PLAINTEXT, SASL_PLAINTEXT, SSL,
     * SASL_SSL).
     */
    public Builder securityProtocol(String protocol) {
      this.securityProtocol = Objects.requireNonNull(protocol, "protocol");
      return this;
    }

    /**
     * A client property that reaches this broker (e.g. {@code sasl.jaas.config}); used for the
     * readiness check too.
     */
    public Builder clientProperty(String key, String value) {
      clientProperties.put(
          Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of " + key));
      return this;
    }

    /**
     * Chooses ports, writes the properties, formats the storage and starts the broker; returns once
     * it answers.
     */
    public KafkaServerProcess start() throws InterruptedException {
      Path dir = Directories.create("switchboard-kafka-process-");
      List<Integer> ports = FreePorts.distinct(2);
      int brokerPort = ports.get(0);
      int controllerPort = ports.get(1);
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
      props.put(
          "listeners",
          "BROKER://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", props.get("listeners"));
      props.put(
          "listener.security.protocol.map", "BROKER:" + securityProtocol + ",CONTROLLER:PLAINTEXT");
      props.put("inter.broker.listener.name", "BROKER");
      props.put("controller.listener.names", "CONTROLLER");
      props.putAll(singleNodeDefaults());
      props.putAll(overrides);
      KafkaNode node =
          KafkaNode.write(
              "broker",
              1,
              dir,
              props,
              brokerPort,
              withBootstrap(clientProperties, "127.0.0.1:" + brokerPort),
              startTimeout,
              logLevel,
              heapAndGc);
      KafkaServerProcess server = new KafkaServerProcess(dir, node, clientProperties);
      try {
        KafkaNode.format(List.of(node), Uuid.randomUuid().toString(), startTimeout, "--standalone");
        node.launch();
        node.awaitReady();
        return server;
      } catch (RuntimeException | InterruptedException e) {
        server.close();
        throw e;
      }
    }
  }
}
