package io.switchboard.testkit.process;

import io.switchboard.testkit.kafka.InProcessKafkaBroker;
import io.switchboard.testkit.kafka.KafkaBroker;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker (combined KRaft controller and broker) in a child JVM, from the
 * Kafka jars on this JVM's class path ({@code kafka.Kafka}, storage formatted with
 * {@code kafka.tools.StorageTool format --standalone}). Unlike the in-process broker it can be
 * killed for real ({@link #kill()}), stopped ({@link #stop()}) and started again on the same
 * ports and data ({@link #restart()}).
 *
 * <p>Ports are chosen before the start. The broker listener is named {@code BROKER}; its
 * security protocol is {@code PLAINTEXT} unless {@link Builder#securityProtocol(String)} says
 * otherwise, in which case the {@code listener.name.broker.*} properties and the matching
 * {@link Builder#clientProperty(String, String) client properties} are the caller's to give.
 */
public final class KafkaServerProcess implements KafkaBroker {
  private final Path dir;
  private final Path properties;
  private final Path log4j;
  private final int brokerPort;
  private final Map<String, String> clientProperties;
  private final Duration startTimeout;
  private final List<String> heapAndGc;
  private int starts;
  private ChildJvm process;
  private boolean closed;

  private KafkaServerProcess(Path dir, Path properties, Path log4j, int brokerPort, Map<String, String> clientProperties,
      Duration startTimeout, List<String> heapAndGc) {
    this.heapAndGc = List.copyOf(heapAndGc);
    this.dir = dir;
    this.properties = properties;
    this.log4j = log4j;
    this.brokerPort = brokerPort;
    this.clientProperties = Map.copyOf(clientProperties);
    this.startTimeout = startTimeout;
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
    return "127.0.0.1:" + brokerPort;
  }

  @Override
  public Map<String, String> clientProperties() {
    Map<String, String> p = new LinkedHashMap<>(clientProperties);
    p.put("bootstrap.servers", bootstrapServers());
    return p;
  }

  @Override
  public String describe() {
    return "Kafka broker process at " + bootstrapServers() + (process == null ? "" : " (pid " + process.pid() + ")");
  }

  /** The running process (changes with every {@link #restart()}). */
  public ChildJvm process() {
    return process;
  }

  /** The directory holding properties, data and one log file per start ({@code broker-N.log}). */
  public Path directory() {
    return dir;
  }

  /** Graceful stop: SIGTERM and wait (SIGKILL after 60 s). */
  public void stop() throws InterruptedException {
    if (process != null) {
      process.stop(Duration.ofSeconds(60));
    }
  }

  /** SIGKILL: the broker gets no chance to flush or close anything. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.kill();
    }
  }

  /** Starts the broker again on the same ports and data; stops it first if it is running. Waits until it answers. */
  public void restart() throws InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
    launch();
  }

  private void launch() throws InterruptedException {
    starts++;
    process = ChildJvm.builder("kafka.Kafka")
        .name("kafka-broker-" + starts)
        .jvmArgs(heapAndGc.toArray(String[]::new))
        .jvmArgs("-Dlog4j2.configurationFile=" + log4j.toUri())
        .args(properties.toString())
        .log(dir.resolve("broker-" + starts + ".log"))
        .start();
    awaitReady();
  }

  private void awaitReady() throws InterruptedException {
    Map<String, Object> admin = new LinkedHashMap<>(clientProperties());
    admin.put("request.timeout.ms", "2000");
    admin.put("default.api.timeout.ms", "3000");
    admin.put("reconnect.backoff.max.ms", "500");
    long end = System.nanoTime() + startTimeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Kafka broker exited with " + process.awaitExit(Duration.ZERO) + "\n" + process.tail());
      }
      if (!accepting()) {
        Thread.sleep(100);
        continue;
      }
      try (Admin client = Admin.create(admin)) {
        client.describeCluster().nodes().get(3, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        last = e;
      } catch (RuntimeException e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("Kafka broker not answering on " + bootstrapServers() + " after " + startTimeout
        + ": " + last + "\n" + process.tail());
  }

  /** Whether the broker port accepts connections yet (a quiet check before the admin client's). */
  private boolean accepting() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), brokerPort), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Kills the broker if it runs and deletes its directory. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (process != null) {
      process.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /** The single-node settings a broker needs, as for the in-process broker. */
  static Map<String, String> singleNodeDefaults() {
    return new LinkedHashMap<>(InProcessKafkaBroker.singleNodeDefaults());
  }

  /** Builds a {@link KafkaServerProcess}. */
  public static final class Builder {
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private final Map<String, String> clientProperties = new LinkedHashMap<>();
    private String securityProtocol = "PLAINTEXT";
    private Duration startTimeout = Duration.ofSeconds(90);
    private String logLevel = "WARN";
    private List<String> heapAndGc = List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC");

    private Builder() {}

    /**
     * The broker JVM's heap and collector options, replacing the default {@code -Xms128m -Xmx512m
     * -XX:+UseSerialGC} (small, for tests) as a whole: options left out take the JVM's defaults.
     */
    public Builder heapAndGc(String... options) {
      this.heapAndGc = List.of(options);
      return this;
    }

    /** A broker property over the defaults (e.g. {@code group.min.session.timeout.ms}). */
    public Builder property(String key, String value) {
      overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of " + key));
      return this;
    }

    /** The security protocol of the {@code BROKER} listener (PLAINTEXT, SASL_PLAINTEXT, SSL, SASL_SSL). */
    public Builder securityProtocol(String protocol) {
      this.securityProtocol = Objects.requireNonNull(protocol, "protocol");
      return this;
    }

    /** A client property that reaches this broker (e.g. {@code sasl.jaas.config}); used for the readiness check too. */
    public Builder clientProperty(String key, String value) {
      clientProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value of " + key));
      return this;
    }

    /** How long a start may take before it fails (default 90 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The root log level of the broker's log (default WARN). */
    public Builder logLevel(String level) {
      this.logLevel = Objects.requireNonNull(level, "level");
      return this;
    }

    /** Chooses ports, writes the properties, formats the storage and starts the broker; returns once it answers. */
    public KafkaServerProcess start() throws InterruptedException {
      Path dir;
      try {
        dir = Files.createTempDirectory("switchboard-kafka-process-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the broker's directory", e);
      }
      int brokerPort = FreePorts.next();
      int controllerPort = FreePorts.next();
      while (controllerPort == brokerPort) {
        controllerPort = FreePorts.next();
      }
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", "1");
      props.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
      props.put("listeners", "BROKER://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("advertised.listeners", "BROKER://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
      props.put("listener.security.protocol.map", "BROKER:" + securityProtocol + ",CONTROLLER:PLAINTEXT");
      props.put("inter.broker.listener.name", "BROKER");
      props.put("controller.listener.names", "CONTROLLER");
      props.put("log.dirs", dir.resolve("data").toString());
      props.putAll(singleNodeDefaults());
      props.putAll(overrides);
      Path properties = dir.resolve("server.properties");
      Path log4j = dir.resolve("log4j2.xml");
      try {
        try (Writer w = Files.newBufferedWriter(properties, StandardCharsets.UTF_8)) {
          props.store(w, "single-node KRaft broker for tests");
        }
        Files.writeString(log4j, """
            <?xml version="1.0" encoding="UTF-8"?>
            <Configuration status="WARN">
              <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="%d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n"/></Console></Appenders>
              <Loggers>
                <Logger name="kafka.server.ReplicaManager" level="FATAL"/>
                <Root level="LEVEL"><AppenderRef ref="out"/></Root>
              </Loggers>
            </Configuration>
            """.replace("LEVEL", logLevel));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the broker's configuration in " + dir, e);
      }
      KafkaServerProcess server = new KafkaServerProcess(dir, properties, log4j, brokerPort, clientProperties, startTimeout,
          heapAndGc);
      try {
        try (ChildJvm format = ChildJvm.builder("kafka.tools.StorageTool")
            .name("kafka-storage-format")
            .jvmArgs("-Xmx256m", "-XX:+UseSerialGC", "-Dlog4j2.configurationFile=" + log4j.toUri())
            .args("format", "--standalone", "--ignore-formatted", "-t", Uuid.randomUuid().toString(), "-c", properties.toString())
            .log(dir.resolve("format.log"))
            .start()) {
          int code = format.awaitExit(startTimeout);
          if (code != 0) {
            throw new IllegalStateException("formatting the broker storage failed with exit code " + code + "\n" + format.tail());
          }
        }
        server.launch();
        return server;
      } catch (RuntimeException | InterruptedException e) {
        server.close();
        throw e;
      }
    }
  }
}
