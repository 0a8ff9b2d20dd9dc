package io.switchboard.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class KafkaServerProcessTest {
  @Test
  @Timeout(180)
  void recordsSurviveAKillAndARestartOnTheSamePorts() throws Exception {
    try (KafkaServerProcess broker = KafkaServerProcess.start()) {
      String bootstrap = broker.bootstrapServers();
      Map<String, Object> props = new HashMap<>(broker.clientProperties());
      try (Admin admin = Admin.create(props)) {
        admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get();
      }
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("kept", "k", "before")).get();
      }
      long firstPid = broker.process().pid();
      broker.kill();
      assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

      broker.restart();
      assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
      assertThat(broker.process().pid()).isNotEqualTo(firstPid);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("kept", "k", "after")).get();
      }
      assertThat(readAll(props, "kept", 2)).containsExactly("before", "after");
    }
  }

  private static List<String> readAll(Map<String, Object> props, String topic, int expected) {
    Map<String, Object> p = new HashMap<>(props);
    p.put("group.id", "reader-" + System.nanoTime());
    p.put("auto.offset.reset", "earliest");
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(Set.of(topic));
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.size() < expected && System.nanoTime() < end) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
