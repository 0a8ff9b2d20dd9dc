package io.switchboard.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.kafka.ConsumerProperties;
import io.switchboard.schemas.topics.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Everything in-process, sample traffic, the split table, exit. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    header = "Sends sample traffic through an in-process stack; exits.",
    description = {
      "Starts a real in-process Kafka broker, the mock provider, the router and a worker;",
      "publishes sample requests to the alias 'chat' (two deployments weighted 70/30);",
      "prints how many replies came back and the split per deployment; exits."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(
      names = {"-n", "--requests"},
      defaultValue = "300",
      description = "Requests to publish (default ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--workers",
      defaultValue = "1",
      description = "Workers to run (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(
      names = "--timeout-seconds",
      defaultValue = "120",
      description = "How long to wait for the replies.")
  int timeoutSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "Starting an in-process Kafka broker, the mock provider, the router and "
            + workers
            + " worker(s)...");
    out.flush();
    long started = System.nanoTime();
    try (Embedded embedded = Embedded.start(null, Embedded.demoBehavior(), workers)) {
      out.printf(
          "Kafka: %s%nMock provider: %s%nReady in %.1f s. Publishing %d requests to model 'chat'...%n",
          embedded.broker().describe(),
          embedded.mock().baseUrl(),
          (System.nanoTime() - started) / 1e9,
          requests);
      out.flush();
      SwitchboardConfig config = embedded.config();
      Topics topics = new Topics(config.topics());
      long sendStart = System.nanoTime();
      try (KafkaProducer<String, RouteRequest> producer =
          new KafkaProducer<>(
              clientProps(config),
              new StringSerializer(),
              topics.requests().valueSerde().serializer())) {
        for (int i = 0; i < requests; i++) {
          producer.send(
              new ProducerRecord<>(
                  topics.requests().name(), "demo-" + i, sampleRequest("demo-" + i)));
        }
      }
      Map<String, RouteReply> replies =
          collect(config, topics, requests, Duration.ofSeconds(timeoutSeconds));
      double seconds = (System.nanoTime() - sendStart) / 1e9;
      printTable(out, config, replies, requests, seconds);
      long ok = replies.values().stream().filter(r -> r.status() == ReplyStatus.OK).count();
      return replies.size() == requests && ok == requests ? 0 : 1;
    }
  }

  static RouteRequest sampleRequest(String id) {
    ObjectNode body =
        (ObjectNode)
            Json.parse(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to request "
                    + id
                    + "\"}],\"max_tokens\":32}");
    return RouteRequest.of(id, "chat", body);
  }

  static Properties clientProps(SwitchboardConfig config) {
    Properties p = new Properties();
    p.putAll(config.kafka());
    return p;
  }

  static Map<String, RouteReply> collect(
      SwitchboardConfig config, Topics topics, int expected, Duration timeout) {
    Properties p =
        ConsumerProperties.readCommitted(config.kafka())
            .group("switchboard-demo-" + System.nanoTime())
            .toProperties();
    Map<String, RouteReply> replies = new LinkedHashMap<>();
    try (KafkaConsumer<String, RouteReply> consumer =
        new KafkaConsumer<>(
            p, new StringDeserializer(), topics.replies().valueSerde().deserializer())) {
      consumer.subscribe(List.of(topics.replies().name()));
      long end = System.nanoTime() + timeout.toNanos();
      while (replies.size() < expected && System.nanoTime() < end) {
        for (ConsumerRecord<String, RouteReply> r : consumer.poll(Duration.ofMillis(100))) {
          replies.put(r.key(), r.value());
        }
      }
    }
    return replies;
  }

  static void printTable(
      PrintWriter out,
      SwitchboardConfig config,
      Map<String, RouteReply> replies,
      int sent,
      double seconds) {
    long ok = replies.values().stream().filter(r -> r.status() == ReplyStatus.OK).count();
    out.printf(
        "%nReplies: %d of %d (%d ok, %d error) in %.1f s%n%n",
        replies.size(), sent, ok, replies.size() - ok, seconds);
    List<DeploymentConfig> deployments = config.deploymentsOf("chat");
    double total = deployments.stream().mapToDouble(DeploymentConfig::effectiveWeight).sum();
    out.printf(
        "%-12s %8s %10s %10s %10s %12s%n",
        "deployment", "weight", "expected", "actual", "share", "cost (USD)");
    for (DeploymentConfig d : deployments) {
      long actual =
          replies.values().stream().filter(r -> d.deploymentId().equals(r.deploymentId())).count();
      double cost =
          replies.values().stream()
              .filter(r -> d.deploymentId().equals(r.deploymentId()) && r.costUsd() != null)
              .mapToDouble(RouteReply::costUsd)
              .sum();
      double share = d.effectiveWeight() / total;
      out.printf(
          "%-12s %7.0f%% %10.1f %10d %9.1f%% %12.6f%n",
          d.deploymentId(),
          share * 100,
          share * replies.size(),
          actual,
          replies.isEmpty() ? 0 : 100.0 * actual / replies.size(),
          cost);
    }
    int tasks = config.topics().requestPartitions();
    out.printf(
        "%nEach of the router's %d tasks (one per partition of %s) splits its own requests exactly,%n"
            + "within one request of its share; the totals are within %d of the exact split.%n",
        tasks, config.topics().requests(), tasks);
    out.flush();
  }
}
