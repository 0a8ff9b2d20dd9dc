package io.switchboard.worker.internal;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.JsonSerde;
import io.switchboard.worker.retry.RetryBudget;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a dispatch record into a job to call, or into the record that answers it at once: a dead
 * letter when it is not a readable dispatch, an {@code unknown_model} reply when its deployment is
 * not in this worker's {@code model_list}. Thread-safe.
 */
final class DispatchReader {
  private static final Logger log = LoggerFactory.getLogger(DispatchReader.class);

  /** What a dispatch record comes to. */
  sealed interface Read {}

  /** A job whose deployment is to be called. */
  record ToCall(Job job) implements Read {}

  /** A record that answers the dispatch without a call. */
  record Answered(ProducerRecord<String, byte[]> answer) implements Read {}

  private final SwitchboardConfig config;
  private final Outputs outputs;
  private final JsonSerde<Dispatch> serde = new JsonSerde<>(Dispatch.class);

  DispatchReader(SwitchboardConfig config, Outputs outputs) {
    this.config = Objects.requireNonNull(config, "config");
    this.outputs = Objects.requireNonNull(outputs, "outputs");
  }

  Read read(ConsumerRecord<String, byte[]> record, Instant now) {
    Dispatch dispatch;
    DeploymentConfig deployment;
    RetryBudget retryBudget;
    try {
      dispatch = serde.deserialize(record.topic(), record.value());
      if (dispatch == null) {
        throw new IllegalArgumentException("record has no value");
      }
      deployment = config.deployment(dispatch.deploymentId()).orElse(null);
      retryBudget = deployment == null ? null : RetryBudget.of(deployment, config.routerSettings());
    } catch (RuntimeException e) {
      String message =
          "dispatch record at "
              + record.topic()
              + "/"
              + record.partition()
              + "@"
              + record.offset()
              + " is not a readable dispatch: "
              + e.getMessage();
      log.warn("{}; dead-lettered and skipped", message);
      return new Answered(
          outputs.deadLetter(
              message,
              record.topic(),
              record.partition(),
              record.offset(),
              record.key(),
              record.value(),
              now));
    }
    if (deployment == null) {
      return new Answered(
          outputs.rejected(
              dispatch,
              ReplyError.of(
                  ErrorCode.UNKNOWN_MODEL,
                  "deployment '"
                      + dispatch.deploymentId()
                      + "' is not in this worker's model_list"),
              now));
    }
    return new ToCall(new Job(record.offset(), dispatch, deployment, retryBudget));
  }
}
