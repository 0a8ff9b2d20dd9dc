package io.switchboard.worker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.LanePlan;
import io.switchboard.schemas.topics.TopicProvisioner;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.testkit.kafka.KafkaBroker;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Config, topics and dispatch publishing shared by the worker's broker tests. */
final class WorkerHarness implements AutoCloseable {
  final SwitchboardConfig config;
  final Topics topics;
  final LanePlan plan;
  private final KafkaProducer<String, byte[]> producer;

  /**
   * @param prefix prefix of every topic name and of the worker group
   * @param yaml {@code model_list} and any other sections; topics and group are added here
   * @param kafka extra client properties for the workers
   */
  WorkerHarness(KafkaBroker broker, String prefix, String yaml, Map<String, String> kafka)
      throws InterruptedException {
    String full =
        yaml
            + """
        topics: {requests: %1$s.requests, dispatch: %1$s.dispatch, replies: %1$s.replies, fallbacks: %1$s.fallbacks,
                 metrics: %1$s.metrics, health: %1$s.health, dead_letter: %1$s.dlq,
                 offload_jobs: %1$s.offload-jobs}
        """
                .formatted(prefix);
    if (!yaml.contains("worker_settings")) {
      full += "worker_settings: {group_id: " + prefix + "-workers, shutdown_grace_ms: 5000}\n";
    }
    Map<String, String> props = new HashMap<>(kafka);
    props.put("bootstrap.servers", broker.bootstrapServers());
    this.config = new ConfigLoader(k -> null).parse(full, prefix).withKafka(props);
    this.topics = new Topics(config.topics());
    this.plan = LanePlan.of(config);
    try (Admin admin =
        Admin.create(
            new HashMap<String, Object>(Map.of("bootstrap.servers", broker.bootstrapServers())))) {
      TopicProvisioner.ensure(admin, config);
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    p.put("linger.ms", "2");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** Topics the worker writes to. */
  List<String> outputTopics() {
    return List.of(
        topics.replies().name(),
        topics.fallbacks().name(),
        topics.metrics().name(),
        topics.health().name(),
        topics.deadLetter().name());
  }

  static ObjectNode body(String content) {
    ObjectNode body =
        (ObjectNode)
            Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"\"}],\"max_tokens\":8}");
    ((ObjectNode) body.withArray("messages").get(0)).put("content", content);
    return body;
  }

  static Dispatch dispatch(String id, String deployment, RouteRequest request) {
    Instant now = Instant.now();
    return new Dispatch(
        request,
        deployment,
        deployment,
        0,
        10,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        null,
        now,
        now);
  }

  static Dispatch dispatch(String id, String deployment) {
    return dispatch(id, deployment, RouteRequest.of(id, deployment, body("Say hi")));
  }

  void send(Dispatch d) {
    producer.send(
        new ProducerRecord<>(
            topics.dispatch().name(),
            plan.partitionFor(d.deploymentId(), d.id()),
            d.id(),
            Json.toBytes(d)));
    producer.flush();
  }

  /** Sends every dispatch, then flushes once. */
  void sendAll(List<Dispatch> dispatches) {
    for (Dispatch d : dispatches) {
      producer.send(
          new ProducerRecord<>(
              topics.dispatch().name(),
              plan.partitionFor(d.deploymentId(), d.id()),
              d.id(),
              Json.toBytes(d)));
    }
    producer.flush();
  }

  void sendRaw(int partition, String key, byte[] value) {
    producer.send(new ProducerRecord<>(topics.dispatch().name(), partition, key, value));
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
