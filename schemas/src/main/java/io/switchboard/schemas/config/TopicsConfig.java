package io.switchboard.schemas.config;

/**
 * {@code topics}: topic names and sizes. Each key is declared once below, with its default, bounds
 * and doc; absent keys take their defaults, so no component is null.
 *
 * @param requests {@link #REQUESTS}
 * @param dispatch {@link #DISPATCH}
 * @param fallbacks {@link #FALLBACKS}
 * @param replies {@link #REPLIES}
 * @param metrics {@link #METRICS}
 * @param health {@link #HEALTH}
 * @param deadLetter {@link #DEAD_LETTER}
 * @param requestPartitions {@link #REQUEST_PARTITIONS}
 * @param replicationFactor {@link #REPLICATION_FACTOR}
 * @param summaries {@link #SUMMARIES}
 * @param offloadJobs {@link #OFFLOAD_JOBS}
 * @param config {@link #CONFIG}
 */
public record TopicsConfig(
    String requests,
    String dispatch,
    String fallbacks,
    String replies,
    String metrics,
    String health,
    String deadLetter,
    Integer requestPartitions,
    Short replicationFactor,
    String summaries,
    String offloadJobs,
    String config) {

  private static final String SECTION = "topics";

  public static final ConfigKey<String> REQUESTS =
      topic("requests", "switchboard.requests", "Requests from producers.");
  public static final ConfigKey<String> DISPATCH =
      topic(
          "dispatch",
          "switchboard.dispatch",
          "Requests bound to a deployment; one lane (set of partitions) per deployment.");
  public static final ConfigKey<String> FALLBACKS =
      topic("fallbacks", "switchboard.fallbacks", "Dispatches handed back by workers.");
  public static final ConfigKey<String> REPLIES =
      topic("replies", "switchboard.replies", "The default reply topic.");
  public static final ConfigKey<String> METRICS =
      topic("metrics", "switchboard.metrics", "Attempt events, one per provider call.");
  public static final ConfigKey<String> HEALTH =
      topic("health", "switchboard.health", "Deployment health (compacted).");
  public static final ConfigKey<String> DEAD_LETTER =
      topic(
          "dead_letter", "switchboard.dead-letter", "Records that could not be answered normally.");
  public static final ConfigKey<String> SUMMARIES =
      topic(
          "summaries",
          "switchboard.metrics.summaries",
          "Per-model and per-deployment metrics summaries.");
  public static final ConfigKey<String> OFFLOAD_JOBS =
      topic(
          "offload_jobs",
          "switchboard.offload-jobs",
          "Provider batch jobs of offload deployments and the requests in each (compacted).");
  public static final ConfigKey<String> CONFIG =
      topic(
          "config",
          "switchboard.config",
          "Versioned live configs, one record per version (compacted, 1 partition).");
  public static final ConfigKey<Integer> REQUEST_PARTITIONS =
      ConfigKey.integer(
              SECTION,
              "request_partitions",
              6,
              "Partitions of the requests, fallbacks, replies and metrics topics.")
          .atLeast(1);
  public static final ConfigKey<Short> REPLICATION_FACTOR =
      ConfigKey.integer(
              SECTION, "replication_factor", (short) 1, "Replication factor of the topics created.")
          .between(1, Short.MAX_VALUE);

  /** Every key at its default. */
  public static final TopicsConfig DEFAULT =
      new TopicsConfig(null, null, null, null, null, null, null, null, null, null, null, null);

  public TopicsConfig {
    requests = REQUESTS.value(requests);
    dispatch = DISPATCH.value(dispatch);
    fallbacks = FALLBACKS.value(fallbacks);
    replies = REPLIES.value(replies);
    metrics = METRICS.value(metrics);
    health = HEALTH.value(health);
    deadLetter = DEAD_LETTER.value(deadLetter);
    requestPartitions = REQUEST_PARTITIONS.value(requestPartitions);
    replicationFactor = REPLICATION_FACTOR.value(replicationFactor);
    summaries = SUMMARIES.value(summaries);
    offloadJobs = OFFLOAD_JOBS.value(offloadJobs);
    config = CONFIG.value(config);
  }

  /** The topics without an offload jobs or config topic name (they get their defaults). */
  public TopicsConfig(
      String requests,
      String dispatch,
      String fallbacks,
      String replies,
      String metrics,
      String health,
      String deadLetter,
      Integer requestPartitions,
      Short replicationFactor,
      String summaries) {
    this(
        requests,
        dispatch,
        fallbacks,
        replies,
        metrics,
        health,
        deadLetter,
        requestPartitions,
        replicationFactor,
        summaries,
        null,
        null);
  }

  /** The topics without a summaries or config topic name (they get their defaults). */
  public TopicsConfig(
      String requests,
      String dispatch,
      String fallbacks,
      String replies,
      String metrics,
      String health,
      String deadLetter,
      Integer requestPartitions,
      Short replicationFactor) {
    this(
        requests,
        dispatch,
        fallbacks,
        replies,
        metrics,
        health,
        deadLetter,
        requestPartitions,
        replicationFactor,
        null,
        null,
        null);
  }

  /** A topic name: what Kafka accepts as one. */
  private static ConfigKey<String> topic(String name, String defaultValue, String doc) {
    return ConfigKey.string(SECTION, name, defaultValue, doc)
        .between(1, 249)
        .matching("^[a-zA-Z0-9._-]+$");
  }
}
