package io.switchboard.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("kept", "k", "before")).get();
      }
      long firstPid = broker.process().pid();
      broker.kill();
      assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

      broker.restart();
      assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
      assertThat(broker.process().pid()).isNotEqualTo(firstPid);
      try (KafkaProducer<String, String> producer =
          new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>("kept", "k", "after")).get();
      }
      assertThat(Records.readAll(props, "kept", 2)).containsExactly("before", "after");
    }
  }
}
