package io.switchboard.worker.internal;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.worker.health.HealthTracker;
import io.switchboard.worker.limits.LimitLearner;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.TransportFailure;
import io.switchboard.worker.retry.OutcomeClassifier;
import io.switchboard.worker.retry.RetryDecision;
import io.switchboard.worker.retry.RetryPolicy;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an ended provider call into what it leads to: the deployment's health (a cooldown may
 * start), the retry decision, the attempt event, and the reply or hand-off that finishes the
 * dispatch, or a retry. Runs on the thread that completed the call; it touches only the job (handed
 * over to that thread) and thread-safe collaborators.
 *
 * <table>
 *   <caption>What each outcome publishes besides the attempt event (on the metrics topic)</caption>
 *   <tr><th>outcome</th><th>result</th></tr>
 *   <tr><td>SUCCESS</td><td>the ok reply, which carries the attempt event instead of the metrics topic</td></tr>
 *   <tr><td>RETRY</td><td>none yet: the job is called again after the decision's delay</td></tr>
 *   <tr><td>FALLBACK, CONTEXT_WINDOW, CONTENT_POLICY</td><td>the dispatch handed back to the router</td></tr>
 *   <tr><td>FAIL</td><td>an error reply ({@code provider_error})</td></tr>
 *   <tr><td>anything unexpected</td><td>an error reply ({@code internal_error}), no attempt event</td></tr>
 * </table>
 */
final class CallOutcomes {
  private static final Logger log = LoggerFactory.getLogger(CallOutcomes.class);

  private final Clock clock;
  private final HealthTracker health;
  private final RetryPolicy retryPolicy;
  private final Outputs outputs;
  private final Consumer<AttemptEvent> onAttempt;

  /**
   * @param onAttempt told of every provider call as it ends (for meters); must not block
   */
  CallOutcomes(
      Clock clock,
      HealthTracker health,
      RetryPolicy retryPolicy,
      Outputs outputs,
      Consumer<AttemptEvent> onAttempt) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.health = Objects.requireNonNull(health, "health");
    this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
    this.outputs = Objects.requireNonNull(outputs, "outputs");
    this.onAttempt = Objects.requireNonNull(onAttempt, "onAttempt");
  }

  /**
   * What the call of {@code job} started on {@code lane} with {@code permit} led to.
   *
   * @param error set instead of {@code response} when the call failed outside the provider client's
   *     classification
   */
  CallEvent.Completed classify(
      Lane lane, Job job, LanePacer.Permit permit, ProviderResponse response, Throwable error) {
    Instant now = clock.instant();
    try {
      if (error != null) {
        throw error instanceof RuntimeException re ? re : new IllegalStateException(error);
      }
      String deploymentId = job.deployment().deploymentId();
      List<ProducerRecord<String, byte[]>> always = new ArrayList<>(2);
      LimitLearner.Lesson lesson =
          health.limits().observe(job.deployment(), lane.partition().partition(), response);
      Optional<DeploymentHealth> cooldown =
          cancelled(response)
              ? Optional.empty()
              : health.record(
                  deploymentId,
                  response,
                  OutcomeClassifier.fault(response, job.retryBudget()),
                  lesson);
      cooldown.ifPresent(
          h -> {
            log.warn(
                "deployment '{}' cools down until {}: {}",
                deploymentId,
                h.cooldownUntil(),
                h.reason());
            always.add(outputs.healthRecord(h));
          });
      if (lesson.cut() && cooldown.isEmpty()) {
        // A cut rate is news for the router's budgets and the other workers' pacers: publish it
        // now rather than with the next periodic report.
        always.add(outputs.healthRecord(health.snapshot(deploymentId)));
      }
      RetryDecision decision =
          retryPolicy.decide(
              response,
              job.retry(),
              job.retryBudget(),
              job.hasContentPolicyChain(),
              job.deployment().backoff(),
              job.deadline());
      AttemptEvent attempt =
          Outputs.attempt(job, response, decision.outcome(), decision.reason(), now);
      onAttempt.accept(attempt);
      job.attempted(attempt, decision.outcome() == Outcome.RETRY);
      boolean inReply = decision.outcome() == Outcome.SUCCESS;
      if (!inReply) {
        always.add(outputs.attemptRecord(attempt));
      }
      int tokens =
          response.usage() != null ? response.usage().totalTokens() : job.estimatedTokens();
      List<ProducerRecord<String, byte[]>> result =
          switch (decision.outcome()) {
            case RETRY -> null;
            case SUCCESS -> List.of(outputs.ok(job, response, now));
            case FALLBACK -> List.of(outputs.handoff(job, Outcome.FALLBACK, attempt.error()));
            case CONTEXT_WINDOW, CONTENT_POLICY ->
                List.of(outputs.handoff(job, decision.outcome(), attempt.error()));
            case FAIL ->
                List.of(
                    outputs.error(
                        job,
                        ErrorCode.PROVIDER_ERROR,
                        "deployment '" + deploymentId + "' answered " + attempt.error(),
                        now));
          };
      return new CallEvent.Completed(
          lane, job, permit, tokens, always, result, decision.delay(), inReply ? attempt : null);
    } catch (Throwable t) {
      log.error(
          "handling the provider response for request {} failed; answering with an internal error",
          job.id(),
          t);
      return new CallEvent.Completed(
          lane,
          job,
          permit,
          job.estimatedTokens(),
          List.of(),
          List.of(
              outputs.error(
                  job,
                  ErrorCode.INTERNAL_ERROR,
                  "the worker failed handling the provider's response: "
                      + t.getClass().getSimpleName(),
                  now)),
          null,
          null);
    }
  }

  /** A call cancelled because this worker is closing says nothing about the deployment. */
  private static boolean cancelled(ProviderResponse response) {
    return response.failure() != null
        && response.failure().kind() == TransportFailure.Kind.CANCELLED;
  }
}
