package io.switchboard.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Handoff;
import io.switchboard.schemas.OffloadJob;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.Usage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the records the worker publishes: replies, hand-offs to the router, attempt events, health
 * records and dead letters. Pure functions of their arguments; thread-safe.
 */
final class Outputs {
  private static final Logger log = LoggerFactory.getLogger(Outputs.class);

  private final SwitchboardConfig config;
  private final Topics topics;

  Outputs(SwitchboardConfig config, Topics topics) {
    this.config = Objects.requireNonNull(config, "config");
    this.topics = Objects.requireNonNull(topics, "topics");
  }

  /** The attempt event of one provider call. */
  static AttemptEvent attempt(
      Job job, ProviderResponse response, Outcome outcome, String reason, Instant at) {
    return attempt(job, response, outcome, reason, at, false);
  }

  /**
   * The attempt event of one provider call; with {@code batch}, a request of a batch job, priced at
   * the deployment's batch price.
   */
  static AttemptEvent attempt(
      Job job,
      ProviderResponse response,
      Outcome outcome,
      String reason,
      Instant at,
      boolean batch) {
    DeploymentConfig d = job.deployment();
    Usage usage = response.usage();
    Integer in = usage == null ? null : usage.promptTokens();
    Integer out = usage == null ? null : usage.completionTokens();
    String error =
        outcome == Outcome.SUCCESS
            ? null
            : reason == null ? response.describe() : response.describe() + " (" + reason + ")";
    return new AttemptEvent(
        AttemptEvent.TYPE,
        job.id(),
        d.deploymentId(),
        job.dispatch().modelName(),
        d.model(),
        d.provider().wire(),
        outcome,
        response.status(),
        response.latency().toMillis(),
        in,
        out,
        usage == null ? null : batch ? d.batchCost(in, out) : d.cost(in, out),
        job.retry(),
        error,
        at,
        job.dispatch().request().priority(),
        waitMs(job.dispatch(), response, at));
  }

  /** From the dispatch's routing to the call's start (its end less its latency); 0 if skewed. */
  private static long waitMs(Dispatch dispatch, ProviderResponse response, Instant at) {
    Instant started = at.minus(response.latency());
    return Math.max(0, Duration.between(dispatch.routedAt(), started).toMillis());
  }

  ProducerRecord<String, byte[]> attemptRecord(AttemptEvent attempt) {
    return new ProducerRecord<>(
        topics.metrics().name(), attempt.deploymentId(), Json.toBytes(attempt));
  }

  ProducerRecord<String, byte[]> healthRecord(DeploymentHealth health) {
    return new ProducerRecord<>(
        topics.health().name(), health.deploymentId(), Json.toBytes(health));
  }

  /**
   * The ok reply with the provider's completion. Its last attempt, the call that answered, is not
   * published on the metrics topic: the reply says so ({@link RouteReply#LAST_ATTEMPT_HEADER}).
   */
  ProducerRecord<String, byte[]> ok(Job job, ProviderResponse response, Instant now) {
    ProducerRecord<String, byte[]> reply =
        answer(
            job, ReplyStatus.OK, response.body(), null, response.latency().toMillis(), now, null);
    reply
        .headers()
        .add(
            RouteReply.LAST_ATTEMPT_HEADER,
            RouteReply.ATTEMPT_IN_REPLY.getBytes(StandardCharsets.UTF_8));
    return reply;
  }

  /** The ok reply with the completion that the provider's batch {@code batchJobId} made. */
  ProducerRecord<String, byte[]> batchOk(
      Job job, ProviderResponse response, String batchJobId, Instant now) {
    return answer(
        job, ReplyStatus.OK, response.body(), null, response.latency().toMillis(), now, batchJobId);
  }

  /** The dispatch sent back to its partition for a real-time call, with the attempts so far. */
  ProducerRecord<String, byte[]> redispatch(Job job, int partition) {
    Dispatch again = job.dispatch().handedOff(job.attempts(), null);
    return new ProducerRecord<>(topics.dispatch().name(), partition, job.id(), Json.toBytes(again));
  }

  /** The state of an offload job, or its tombstone ({@code job} null) when it is done. */
  ProducerRecord<String, byte[]> offloadJob(String jobId, OffloadJob job) {
    return new ProducerRecord<>(
        topics.offloadJobs().name(), jobId, job == null ? null : Json.toBytes(job));
  }

  /**
   * A final error (or, for {@link ErrorCode#DEADLINE_EXCEEDED}, expired) reply with the attempt
   * history.
   */
  ProducerRecord<String, byte[]> error(Job job, ErrorCode code, String message, Instant now) {
    ReplyStatus status =
        code == ErrorCode.DEADLINE_EXCEEDED ? ReplyStatus.EXPIRED : ReplyStatus.ERROR;
    return answer(job, status, null, ReplyError.of(code, message), null, now, null);
  }

  /** An error reply for a dispatch whose deployment this worker does not know. */
  ProducerRecord<String, byte[]> rejected(Dispatch dispatch, ReplyError error, Instant now) {
    return reply(
        dispatch, RouteReply.rejected(dispatch.id(), error, dispatch.request().metadata(), now));
  }

  /** The dispatch handed back to the router, with every attempt so far. */
  ProducerRecord<String, byte[]> handoff(Job job, Outcome reason, String detail) {
    return handoff(job.dispatch(), job.attempts(), reason, detail);
  }

  /** A dispatch handed back to the router before any call of this worker. */
  ProducerRecord<String, byte[]> handoff(Dispatch dispatch, Outcome reason, String detail) {
    return handoff(dispatch, dispatch.attempts(), reason, detail);
  }

  private ProducerRecord<String, byte[]> handoff(
      Dispatch dispatch, List<AttemptEvent> attempts, Outcome reason, String detail) {
    Dispatch handedOff = dispatch.handedOff(attempts, new Handoff(reason, detail));
    return new ProducerRecord<>(topics.fallbacks().name(), dispatch.id(), Json.toBytes(handedOff));
  }

  ProducerRecord<String, byte[]> deadLetter(
      String message,
      String topic,
      int partition,
      long offset,
      String key,
      byte[] value,
      Instant now) {
    DeadLetter letter =
        DeadLetter.of(
            ErrorCode.INTERNAL_ERROR,
            message,
            topic,
            partition,
            offset,
            key,
            value,
            List.of(),
            now);
    return new ProducerRecord<>(topics.deadLetter().name(), key, Json.toBytes(letter));
  }

  private ProducerRecord<String, byte[]> answer(
      Job job,
      ReplyStatus status,
      ObjectNode body,
      ReplyError error,
      Long providerLatencyMs,
      Instant now,
      String batchJobId) {
    Dispatch dispatch = job.dispatch();
    DeploymentConfig d = job.deployment();
    return reply(
        dispatch,
        new RouteReply(
            job.id(),
            status,
            body,
            error,
            d.deploymentId(),
            dispatch.modelName(),
            d.model(),
            d.provider().wire(),
            job.attempts(),
            latency(dispatch, now),
            providerLatencyMs,
            AttemptEvent.totalCost(job.attempts()),
            dispatch.request().metadata(),
            now,
            batchJobId,
            dispatch.configVersion()));
  }

  private ProducerRecord<String, byte[]> reply(Dispatch dispatch, RouteReply reply) {
    String to = dispatch.request().replyTo();
    if (to == null) {
      to = topics.replies().name();
    } else if (!config.replyTopicAllowed(to)) {
      log.warn(
          "dispatch {} names reply topic '{}', which reply_topics does not allow; replying on {}",
          dispatch.id(),
          to,
          topics.replies().name());
      to = topics.replies().name();
    }
    RouteReply versioned =
        Objects.equals(reply.configVersion(), dispatch.configVersion())
            ? reply
            : reply.withConfigVersion(dispatch.configVersion());
    return new ProducerRecord<>(to, dispatch.id(), Json.toBytes(versioned));
  }

  private static long latency(Dispatch dispatch, Instant now) {
    return Math.max(0, Duration.between(dispatch.receivedAt(), now).toMillis());
  }
}
