package io.switchboard.schemas.topics;

import io.switchboard.schemas.AttemptEvent;
import io.switchboard.schemas.ConfigVersion;
import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.MetricsSummary;
import io.switchboard.schemas.OffloadJob;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.TopicsConfig;
import io.switchboard.schemas.json.JsonSerde;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic Switchboard reads or writes, typed, named from {@link TopicsConfig}. Keys are request
 * ids, except on metrics and health, where they are deployment ids. This is the only place topic
 * names are spelled.
 */
public final class Topics {
  private static final Serde<String> KEY = Serdes.String();

  private final TopicsConfig config;
  private final Topic<String, RouteRequest> requests;
  private final Topic<String, byte[]> rawRequests;
  private final Topic<String, Dispatch> dispatch;
  private final Topic<String, Dispatch> fallbacks;
  private final Topic<String, RouteReply> replies;
  private final Topic<String, AttemptEvent> metrics;
  private final Topic<String, DeploymentHealth> health;
  private final Topic<String, DeadLetter> deadLetter;
  private final Topic<String, MetricsSummary> summaries;
  private final Topic<String, OffloadJob> offloadJobs;
  private final Topic<String, ConfigVersion> configVersions;

  public Topics(TopicsConfig config) {
    this.config = config;
    this.requests = new Topic<>(config.requests(), KEY, new JsonSerde<>(RouteRequest.class));
    this.rawRequests = new Topic<>(config.requests(), KEY, Serdes.ByteArray());
    this.dispatch = new Topic<>(config.dispatch(), KEY, new JsonSerde<>(Dispatch.class));
    this.fallbacks = new Topic<>(config.fallbacks(), KEY, new JsonSerde<>(Dispatch.class));
    this.replies = reply(config.replies());
    this.metrics = new Topic<>(config.metrics(), KEY, new JsonSerde<>(AttemptEvent.class));
    this.health = new Topic<>(config.health(), KEY, new JsonSerde<>(DeploymentHealth.class));
    this.deadLetter = new Topic<>(config.deadLetter(), KEY, new JsonSerde<>(DeadLetter.class));
    this.summaries = new Topic<>(config.summaries(), KEY, new JsonSerde<>(MetricsSummary.class));
    this.offloadJobs = new Topic<>(config.offloadJobs(), KEY, new JsonSerde<>(OffloadJob.class));
    this.configVersions = new Topic<>(config.config(), KEY, new JsonSerde<>(ConfigVersion.class));
  }

  /** The topics under their default names ({@code switchboard.*}). */
  public static Topics defaults() {
    return new Topics(TopicsConfig.DEFAULT);
  }

  public TopicsConfig config() {
    return config;
  }

  /** Requests, as producers write them. */
  public Topic<String, RouteRequest> requests() {
    return requests;
  }

  /** Requests as raw bytes: the router reads these so that malformed records can be answered. */
  public Topic<String, byte[]> rawRequests() {
    return rawRequests;
  }

  public Topic<String, Dispatch> dispatch() {
    return dispatch;
  }

  public Topic<String, Dispatch> fallbacks() {
    return fallbacks;
  }

  /** The default reply topic. */
  public Topic<String, RouteReply> replies() {
    return replies;
  }

  /** A reply topic by name, for a request's {@code reply_to}. */
  public static Topic<String, RouteReply> reply(String name) {
    return new Topic<>(name, KEY, new JsonSerde<>(RouteReply.class));
  }

  public Topic<String, AttemptEvent> metrics() {
    return metrics;
  }

  public Topic<String, DeploymentHealth> health() {
    return health;
  }

  public Topic<String, DeadLetter> deadLetter() {
    return deadLetter;
  }

  /**
   * Metrics summaries per model, per deployment and overall, per minute and running totals (key:
   * {@link MetricsSummary#key()}). A topic of its own, so that readers of the metrics topic see
   * only attempt events.
   */
  public Topic<String, MetricsSummary> summaries() {
    return summaries;
  }

  /**
   * Provider batch jobs of offload deployments (compacted; key: {@link OffloadJob#jobId()}, a
   * tombstone when the job is done).
   */
  public Topic<String, OffloadJob> offloadJobs() {
    return offloadJobs;
  }

  /**
   * The versions of the live configuration (key: {@link ConfigVersion#key}), one partition,
   * compacted.
   */
  public Topic<String, ConfigVersion> configVersions() {
    return configVersions;
  }
}
