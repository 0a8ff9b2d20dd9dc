/**
 * What the router's Kafka Streams applications (the router itself and the metrics aggregator) share
 * in how they run: where their state lives ({@link
 * io.switchboard.router.streams.StreamsApps#stateDir}), and how one starts, answers a failed stream
 * thread and is waited for ({@link io.switchboard.router.streams.StreamsRun}).
 */
package io.switchboard.router.streams;
