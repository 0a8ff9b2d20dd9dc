/**
 * The router: {@link io.switchboard.router.Router} runs the Kafka Streams topology that {@link
 * io.switchboard.router.RouterTopology} builds from config. Its processors are in {@code internal},
 * the routing rules in {@code selection}, its meters in {@code metrics}; the metrics aggregator, a
 * Streams application of its own, is in {@code aggregator}.
 */
package io.switchboard.router;
