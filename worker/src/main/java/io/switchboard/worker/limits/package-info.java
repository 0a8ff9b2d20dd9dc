/**
 * Learned rate limits: what the provider really allows each deployment, read from its rate-limit
 * headers ({@link io.switchboard.worker.limits.RateLimitHeaders}) and its 429s, learned and shared
 * by {@link io.switchboard.worker.limits.LimitLearner}, paced at by every lane.
 */
package io.switchboard.worker.limits;
