/**
 * The routing rules: which deployments a request may go to ({@link
 * io.switchboard.router.selection.Candidates}), with what weights (configured, or adapted to health
 * by {@link io.switchboard.router.selection.DynamicWeights}), within which budgets, and the pick
 * among them ({@link io.switchboard.router.selection.Selector}). No Kafka Streams processor here:
 * the stores a selector works on are handed to it.
 */
package io.switchboard.router.selection;
