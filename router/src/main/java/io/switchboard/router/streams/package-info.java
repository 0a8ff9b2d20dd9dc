/**
 * What the router's Kafka Streams applications (the router itself and the metrics aggregator) share
 * in how they run: where their state lives ({@link
 * io.switchboard.router.streams.StreamsApps#stateDir}) and how a caller waits for one to run
 * ({@link io.switchboard.router.streams.StreamsApps#awaitRunning}).
 */
package io.switchboard.router.streams;
