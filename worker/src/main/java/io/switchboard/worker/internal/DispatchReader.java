package io.switchboard.worker.internal;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
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
 * letter when it is not a readable dispatch; when its deployment is not in the config in force
 * here, a hand-off back to the router if the deployment was removed since the dispatch was routed
 * (the dispatch's config version is older), else an {@code unknown_model} reply. A dispatch routed
 * by a config version newer than this worker's, for a deployment it does not know yet, is {@link
 * Ahead}: the worker catches up first. Thread-safe.
 */
final class DispatchReader {
  private static final Logger log = LoggerFactory.getLogger(DispatchReader.class);

  /** What a dispatch record comes to. */
  sealed interface Read {}

  /** A job whose deployment is to be called. */
  record ToCall(Job job) implements Read {}

  /** A record that answers the dispatch without a call. */
  record Answered(ProducerRecord<String, byte[]> answer) implements Read {}

  /** A dispatch for a deployment of a config version this worker does not have yet. */
  record Ahead(long version) implements Read {}

  /** The config in force and its version: swapped together. */
  private record InForce(SwitchboardConfig config, long version) {}

  private volatile InForce inForce;
  private final Outputs outputs;
  private final JsonSerde<Dispatch> serde = new JsonSerde<>(Dispatch.class);

  DispatchReader(SwitchboardConfig config, Outputs outputs) {
    this(config, 0, outputs);
  }

  DispatchReader(SwitchboardConfig config, long version, Outputs outputs) {
    this.inForce = new InForce(Objects.requireNonNull(config, "config"), version);
    this.outputs = Objects.requireNonNull(outputs, "outputs");
  }

  /** Reads by {@code config}, version {@code version}, from now on. */
  void use(SwitchboardConfig config, long version) {
    inForce = new InForce(Objects.requireNonNull(config, "config"), version);
  }

  Read read(ConsumerRecord<String, byte[]> record, Instant now) {
    return read(record, now, true);
  }

  /** {@link #read} after waiting for the version an {@link Ahead} named: never {@link Ahead}. */
  Read readCaughtUp(ConsumerRecord<String, byte[]> record, Instant now) {
    return read(record, now, false);
  }

  private Read read(ConsumerRecord<String, byte[]> record, Instant now, boolean mayWait) {
    Dispatch dispatch;
    DeploymentConfig deployment;
    RetryBudget retryBudget;
    InForce current = inForce;
    SwitchboardConfig config = current.config();
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
    long routedBy = dispatch.configVersion() == null ? 0 : dispatch.configVersion();
    if (deployment == null && mayWait && routedBy > current.version()) {
      return new Ahead(routedBy);
    }
    if (deployment == null && routedBy < current.version()) {
      return new Answered(
          outputs.handoff(
              dispatch,
              Outcome.FALLBACK,
              "deployment '"
                  + dispatch.deploymentId()
                  + "' is not in config version "
                  + current.version()));
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
