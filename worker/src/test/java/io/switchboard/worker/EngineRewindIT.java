package io.switchboard.worker;

import static io.switchboard.worker.WorkerHarness.body;
import static io.switchboard.worker.WorkerHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import io.switchboard.testkit.mock.Behavior;
import io.switchboard.worker.provider.ProviderClients;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine on the real broker after a failed transaction: the work of the aborted transaction is
 * redone from the committed offsets, and the redone calls are paced against the calls already made
 * in the current minute, not against an empty window.
 */
@Timeout(120)
class EngineRewindIT extends BrokerAndMock {

  /** A transactional producer whose first commit carrying a record for {@code topic} fails. */
  static final class FailsOnce extends KafkaProducer<String, byte[]> {
    private final String topic;
    private final AtomicBoolean armed;
    private boolean carries;

    FailsOnce(Properties props, String topic, AtomicBoolean armed) {
      super(props, new StringSerializer(), new ByteArraySerializer());
      this.topic = topic;
      this.armed = armed;
    }

    @Override
    public void beginTransaction() {
      carries = false;
      super.beginTransaction();
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
      carries |= record.topic().equals(topic);
      return super.send(record);
    }

    @Override
    public void commitTransaction() {
      if (carries && armed.compareAndSet(true, false)) {
        throw new KafkaException("injected: this transaction fails");
      }
      super.commitTransaction();
    }
  }

  @Test
  void aLaneRewoundAfterAFailedTransactionKeepsItsRateWindow() throws Exception {
    int rpm = 3;
    mock.behave("rewind", Behavior.ok());
    String yaml =
        """
        model_list:
          - {model_name: rewind, api_base: "%s/d/rewind/v1", max_retries: 0, rpm: %d}
        worker_settings: {group_id: rewind-workers, shutdown_grace_ms: 2000}
        """
            .formatted(mock.baseUrl(), rpm);
    AtomicBoolean armed = new AtomicBoolean(true);
    try (WorkerHarness h = new WorkerHarness(broker, "rewind", yaml, Map.of());
        TopicTap tap = new TopicTap(broker.bootstrapServers(), List.of(h.topics.replies().name()));
        ProviderClients http =
            ProviderClients.start(h.config.workerSettings(), k -> null, Clock.systemUTC());
        RunningEngine running =
            new RunningEngine(
                h.config, http, p -> new FailsOnce(p, h.topics.replies().name(), armed))) {
      await().atMost(Duration.ofSeconds(60)).until(() -> running.engine.ownedLanes() == 1);
      // Long enough for the first calls to be made, even on a loaded machine; the redone ones wait
      // it out.
      Instant deadline = Instant.now().plusSeconds(8);
      List<Dispatch> dispatches = new ArrayList<>();
      for (int i = 0; i < rpm; i++) {
        String id = "rewind-" + i;
        dispatches.add(
            dispatch(
                id, "rewind", RouteRequest.of(id, "rewind", body("hi")).withDeadline(deadline)));
      }
      h.sendAll(dispatches);
      String replies = h.topics.replies().name();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> tap.all(replies).stream().map(ConsumerRecord::key).distinct().count() == rpm);
      Thread.sleep(1000);

      assertThat(armed).as("the injected failure happened").isFalse();
      // The first replies were aborted with their transaction; the calls they answered were
      // made, so the redone dispatches find the minute's rpm spent and expire.
      assertThat(tap.all(replies))
          .hasSize(rpm)
          .allSatisfy(
              r ->
                  assertThat(Json.read(r.value(), RouteReply.class).status())
                      .isEqualTo(ReplyStatus.EXPIRED));
      assertThat(mock.calls("rewind")).as("provider calls").hasSize(rpm);
      assertThat(mock.maxCallsInAnyWindow("rewind", Duration.ofSeconds(60)))
          .isLessThanOrEqualTo(rpm);
    }
  }
}
