package io.switchboard.router.internal;

import io.switchboard.router.RouterTopology;
import io.switchboard.router.selection.WeightedRoundRobin;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyError;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Reads request records and routes each one: a dispatch on the chosen deployment's lane, or an
 * error reply (and, for unreadable records, a dead-letter copy).
 */
public final class RoutingProcessor implements Processor<String, byte[], String, Object> {
  private final SwitchboardConfig config;
  private final Clock clock;
  private final RequestReader reader;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, long[]> rotations;

  public RoutingProcessor(SwitchboardConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.reader = new RequestReader(config);
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.rotations = context.getStateStore(RouterTopology.ROTATION_STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    Instant now = clock.instant();
    RequestReader.Read read = reader.read(record.value());
    if (read.rejection() != null) {
      reject(read.rejection(), read.replyTopic(), record, null, now);
      return;
    }
    RouteRequest request = read.request();
    if (request.deadline() != null && !now.isBefore(request.deadline())) {
      reject(Rejection.of(ErrorCode.DEADLINE_EXCEEDED, "deadline " + request.deadline() + " passed before dispatch",
          "/deadline", request.id(), false), read.replyTopic(), record, request, now);
      return;
    }
    String model = request.model() != null ? request.model() : request.body().path("model").asText(null);
    if (model == null) {
      reject(Rejection.of(ErrorCode.INVALID_REQUEST, "no model: set model (or body.model)", "/model", request.id(),
          false), read.replyTopic(), record, request, now);
      return;
    }
    List<DeploymentConfig> candidates = config.resolve(model);
    if (candidates.isEmpty()) {
      String field = request.model() != null ? "/model" : "/body/model";
      reject(Rejection.of(ErrorCode.UNKNOWN_MODEL, "model '" + model
          + "' is not a model_name or deployment_id of model_list", field, request.id(), false),
          read.replyTopic(), record, request, now);
      return;
    }
    DeploymentConfig chosen;
    try {
      chosen = candidates.get(pick(model, candidates));
    } catch (IllegalArgumentException noWeight) {
      reject(Rejection.of(ErrorCode.UNKNOWN_MODEL, "model '" + model + "' has no deployment with a weight above 0",
          "/model", request.id(), false), read.replyTopic(), record, request, now);
      return;
    }
    List<String> fallbacks = request.fallbacks() != null ? request.fallbacks()
        : config.fallbacks().getOrDefault(model, List.of());
    List<String> cwFallbacks = request.contextWindowFallbacks() != null ? request.contextWindowFallbacks()
        : config.contextWindowFallbacks().getOrDefault(model, List.of());
    Dispatch dispatch = new Dispatch(request.withReplyTo(read.replyTopic()), chosen.deploymentId(), model, 0, 0,
        fallbacks, cwFallbacks, List.of(), null, now, now);
    context.forward(record.withKey(request.id()).withValue(dispatch), RouterTopology.DISPATCH_SINK);
  }

  private int pick(String setName, List<DeploymentConfig> candidates) {
    StringBuilder key = new StringBuilder(setName).append('|');
    for (DeploymentConfig d : candidates) {
      key.append(d.deploymentId()).append('=').append(d.effectiveWeight()).append(',');
    }
    long[] weights = WeightedRoundRobin.normalize(candidates.stream().map(DeploymentConfig::effectiveWeight).toList());
    long[] current = rotations.get(key.toString());
    if (current == null || current.length != weights.length) {
      current = new long[weights.length];
    }
    int index = WeightedRoundRobin.pick(weights, current);
    rotations.put(key.toString(), current);
    return index;
  }

  private void reject(Rejection rejection, String replyTopic, Record<String, byte[]> record, RouteRequest request,
      Instant now) {
    ReplyError error = rejection.error();
    if (rejection.requestId() != null) {
      RouteReply reply = RouteReply.rejected(rejection.requestId(), error, request == null ? null : request.metadata(), now);
      context.forward(record.withKey(rejection.requestId()).withValue(new AddressedReply(replyTopic, reply)),
          RouterTopology.REPLY_SINK);
    }
    if (rejection.deadLetter()) {
      RecordMetadata meta = context.recordMetadata().orElse(null);
      DeadLetter letter = DeadLetter.of(error.code(), error.message(),
          meta == null ? null : meta.topic(), meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(),
          rejection.requestId(), record.value(), List.of(), now);
      context.forward(record.withKey(rejection.requestId()).withValue(letter), RouterTopology.DEAD_LETTER_SINK);
    }
  }
}
