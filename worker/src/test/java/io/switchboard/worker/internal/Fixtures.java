package io.switchboard.worker.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.worker.offsets.PartitionOffsets;
import io.switchboard.worker.pacing.LanePacer;
import io.switchboard.worker.retry.RetryBudget;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** Config, jobs and lanes for the engine parts' unit tests. */
final class Fixtures {
  static final String DISPATCH = "switchboard.dispatch";

  private Fixtures() {}

  /**
   * A config with one deployment, {@code fast}, and {@code settings} added (YAML lines, may be
   * empty).
   */
  static SwitchboardConfig config(String settings) {
    return new ConfigLoader(k -> null)
        .parse(
            """
        model_list:
          - {model_name: fast, api_base: "http://localhost:1/v1", max_retries: 1, backoff: {initial_ms: 10, max_ms: 20}}
        """
                + settings,
            "test");
  }

  static Outputs outputs(SwitchboardConfig config) {
    return new Outputs(config, new Topics(config.topics()));
  }

  static ObjectNode body() {
    return (ObjectNode)
        Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":8}");
  }

  static Dispatch dispatch(String id, Instant deadline, int estimatedTokens) {
    return dispatch(RouteRequest.of(id, "fast", body()).withDeadline(deadline), estimatedTokens);
  }

  static Dispatch dispatch(RouteRequest request, int estimatedTokens) {
    Instant at = Instant.parse("2025-01-01T00:00:00Z");
    return new Dispatch(
        request,
        "fast",
        "fast",
        0,
        estimatedTokens,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        null,
        at,
        at);
  }

  /** A job for the config's deployment at {@code offset}, id {@code "r<offset>"}. */
  static Job job(SwitchboardConfig config, long offset, Instant deadline) {
    return job(config, dispatch("r" + offset, deadline, 10), offset);
  }

  /** A job for {@code dispatch} on the config's deployment, with that deployment's retry budget. */
  static Job job(SwitchboardConfig config, Dispatch dispatch, long offset) {
    return new Job(
        offset,
        dispatch,
        config.deployment("fast").orElseThrow(),
        RetryBudget.of(config.deployment("fast").orElseThrow(), config.routerSettings()));
  }

  /** Partition 0 of the dispatch topic, read from offset 0, unpaced. */
  static Lane lane(Clock clock) {
    return lane(new LanePacer(null, null, clock));
  }

  static Lane lane(LanePacer pacer) {
    return new Lane(new TopicPartition(DISPATCH, 0), pacer, PartitionOffsets.startingAt(0));
  }

  /** Takes the record at {@code offset} onto the lane as a job. */
  static Job take(Lane lane, SwitchboardConfig config, long offset, Instant deadline) {
    return take(lane, job(config, offset, deadline));
  }

  /** Takes the record at {@code offset}, a request of class {@code priority}, onto the lane. */
  static Job takeOfClass(Lane lane, SwitchboardConfig config, long offset, Priority priority) {
    RouteRequest request = RouteRequest.of("r" + offset, "fast", body()).withPriority(priority);
    return take(lane, job(config, dispatch(request, 10), offset));
  }

  private static Job take(Lane lane, Job job) {
    if (lane.admit(job.offset()) != Lane.Admission.TAKE) {
      throw new IllegalStateException("offset " + job.offset() + " not taken");
    }
    lane.enqueue(job);
    return job;
  }

  /** The results the lane would commit now. */
  static List<ProducerRecord<String, byte[]>> results(Lane lane) {
    return lane.toCommit().results();
  }

  static RouteReply reply(ProducerRecord<String, byte[]> record) {
    return Json.read(record.value(), RouteReply.class);
  }
}
