package io.switchboard.schemas.config;

/**
 * {@code topics}: topic names and sizes. Every name defaults to {@code switchboard.<role>}.
 *
 * @param requests requests from producers
 * @param dispatch requests bound to a deployment; one lane (partition set) per deployment
 * @param fallbacks dispatches handed back by workers
 * @param replies the default reply topic
 * @param metrics attempt events, one per provider call
 * @param health deployment health (compacted)
 * @param deadLetter records that could not be answered normally
 * @param summaries per-model and per-deployment metrics summaries (default {@code switchboard.metrics.summaries})
 * @param requestPartitions partitions of the requests topic (default 6)
 * @param replicationFactor replication factor of created topics (default 1)
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
    String summaries) {

  public static final TopicsConfig DEFAULT = new TopicsConfig(null, null, null, null, null, null, null, null, null, null);

  public TopicsConfig {
    requests = requests == null ? "switchboard.requests" : requests;
    dispatch = dispatch == null ? "switchboard.dispatch" : dispatch;
    fallbacks = fallbacks == null ? "switchboard.fallbacks" : fallbacks;
    replies = replies == null ? "switchboard.replies" : replies;
    metrics = metrics == null ? "switchboard.metrics" : metrics;
    health = health == null ? "switchboard.health" : health;
    deadLetter = deadLetter == null ? "switchboard.dead-letter" : deadLetter;
    requestPartitions = requestPartitions == null ? 6 : requestPartitions;
    replicationFactor = replicationFactor == null ? 1 : replicationFactor;
    summaries = summaries == null ? "switchboard.metrics.summaries" : summaries;
  }

  /** The topics without a summaries topic name (it gets its default). */
  public TopicsConfig(String requests, String dispatch, String fallbacks, String replies, String metrics, String health,
      String deadLetter, Integer requestPartitions, Short replicationFactor) {
    this(requests, dispatch, fallbacks, replies, metrics, health, deadLetter, requestPartitions, replicationFactor, null);
  }
}
