/**
 * The metrics aggregator, a Kafka Streams application of its own ({@link
 * io.switchboard.router.aggregator.MetricsAggregator}): turns attempt events, routing decisions and
 * replies into the summaries of the summaries topic ({@link
 * io.switchboard.router.aggregator.MetricsTopology}).
 */
package io.switchboard.router.aggregator;
