package io.switchboard.worker.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.OffloadJob;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.RouterSettings;
import io.switchboard.schemas.json.JsonSerde;
import io.switchboard.worker.offload.BatchResult;
import io.switchboard.worker.offload.BatchStatus;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.TransportFailure;
import io.switchboard.worker.provider.Usage;
import io.switchboard.worker.retry.RetryBudget;
import io.switchboard.worker.retry.RetryDecision;
import io.switchboard.worker.retry.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What one request of an ended batch job leads to, by the same rules as a real-time call: its
 * result is classified by the {@link RetryPolicy} as the first call to the deployment, and
 *
 * <table>
 *   <caption>What each outcome publishes besides the attempt event (priced at the batch price)</caption>
 *   <tr><th>outcome</th><th>result</th></tr>
 *   <tr><td>SUCCESS</td><td>the ok reply, with the provider's batch id in {@code batch_job_id}</td></tr>
 *   <tr><td>RETRY, or no result (the job failed, expired or was cancelled before running it)</td>
 *       <td>the dispatch back on its partition: it is called in real time, with the deployment's
 *       retries, failover and fallbacks after it</td></tr>
 *   <tr><td>FALLBACK, CONTEXT_WINDOW, CONTENT_POLICY</td><td>the dispatch handed back to the router</td></tr>
 *   <tr><td>FAIL</td><td>an error reply ({@code provider_error})</td></tr>
 * </table>
 */
final class OffloadReplies {
  private final Outputs outputs;
  private final RetryPolicy retryPolicy;
  private final RouterSettings settings;
  private final JsonSerde<Dispatch> serde = new JsonSerde<>(Dispatch.class);

  OffloadReplies(Outputs outputs, RetryPolicy retryPolicy, RouterSettings settings) {
    this.outputs = Objects.requireNonNull(outputs, "outputs");
    this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** The dispatch in a record's value, or null when it cannot be read. */
  Dispatch dispatch(String topic, byte[] value) {
    try {
      return value == null ? null : serde.deserialize(topic, value);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The records that answer the request at {@code offset} of {@code job}.
   *
   * @param result its result, or null when the batch did not run it
   */
  List<ProducerRecord<String, byte[]>> answer(
      DeploymentConfig deployment,
      OffloadJob job,
      long offset,
      Dispatch dispatch,
      BatchStatus status,
      BatchResult result,
      Instant now) {
    Job call = new Job(offset, dispatch, deployment, RetryBudget.of(deployment, settings));
    Duration latency = Duration.between(job.createdAt(), now);
    if (latency.isNegative()) {
      latency = Duration.ZERO;
    }
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(2);
    if (result == null) {
      ProviderResponse none =
          ProviderResponse.failed(
              new TransportFailure(
                  TransportFailure.Kind.CANCELLED,
                  "batch "
                      + status.batchId()
                      + " ended "
                      + status.state()
                      + " without running the request"
                      + (status.detail() == null ? "" : ": " + status.detail())),
              latency);
      AttemptEvent attempt = Outputs.attempt(call, none, Outcome.RETRY, null, now, true);
      call.attempted(attempt, true);
      records.add(outputs.attemptRecord(attempt));
      records.add(outputs.redispatch(call, job.partition()));
      return records;
    }
    ProviderResponse response =
        ProviderResponse.http(result.status(), Map.of(), result.body(), usage(result), latency);
    RetryDecision decision =
        retryPolicy.decide(
            response,
            0,
            call.retryBudget(),
            call.hasContentPolicyChain(),
            deployment.backoff(),
            call.deadline());
    AttemptEvent attempt =
        Outputs.attempt(call, response, decision.outcome(), decision.reason(), now, true);
    call.attempted(attempt, decision.outcome() == Outcome.RETRY);
    records.add(outputs.attemptRecord(attempt));
    records.add(
        switch (decision.outcome()) {
          case SUCCESS -> outputs.batchOk(call, response, status.batchId(), now);
          case RETRY -> outputs.redispatch(call, job.partition());
          case FALLBACK, CONTEXT_WINDOW, CONTENT_POLICY ->
              outputs.handoff(call, decision.outcome(), attempt.error());
          case FAIL ->
              outputs.error(
                  call,
                  ErrorCode.PROVIDER_ERROR,
                  "deployment '"
                      + deployment.deploymentId()
                      + "' answered "
                      + attempt.error()
                      + " in batch "
                      + status.batchId(),
                  now);
        });
    return records;
  }

  private static Usage usage(BatchResult result) {
    JsonNode usage = result.body().get("usage");
    if (!(usage instanceof ObjectNode)
        || !usage.path("prompt_tokens").canConvertToInt()
        || !usage.path("completion_tokens").canConvertToInt()) {
      return null;
    }
    int in = usage.path("prompt_tokens").asInt();
    int out = usage.path("completion_tokens").asInt();
    return in < 0 || out < 0 ? null : new Usage(in, out);
  }
}
