package io.switchboard.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.LanePlan;
import io.switchboard.schemas.topics.TopicProvisioner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InProcessKafkaBrokerTest {
  @Test
  @Timeout(120)
  void producesConsumesAndProvisionsTheLanePlan() throws Exception {
    SwitchboardConfig config =
        new ConfigLoader(k -> null)
            .parse(
                """
        model_list:
          - {model_name: a, lanes: 2}
          - {model_name: b, lanes: 3}
        """,
                "test");
    try (KafkaBroker broker = KafkaBrokers.start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      List<String> created = TopicProvisioner.ensure(admin, config);
      assertThat(created).contains(config.topics().dispatch(), config.topics().requests());
      assertThat(
              admin
                  .describeTopics(List.of(config.topics().dispatch()))
                  .allTopicNames()
                  .get()
                  .get(config.topics().dispatch())
                  .partitions())
          .hasSize(LanePlan.of(config).partitions())
          .hasSize(5);
      assertThat(TopicProvisioner.ensure(admin, config)).isEmpty();

      Properties p = new Properties();
      p.put("bootstrap.servers", broker.bootstrapServers());
      try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
        producer.send(new ProducerRecord<>(config.topics().requests(), "k", "v")).get();
      }
      p.put("group.id", "t");
      p.put("auto.offset.reset", "earliest");
      try (var consumer =
          new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(config.topics().requests()));
        ConsumerRecords<String, String> records = ConsumerRecords.empty();
        for (int i = 0; i < 50 && records.isEmpty(); i++) {
          records = consumer.poll(Duration.ofMillis(200));
        }
        assertThat(records.count()).isEqualTo(1);
        assertThat(records.iterator().next().value()).isEqualTo("v");
      }
    }
  }
}
