/** What the metrics aggregator keeps per summary and how one input record adds to it. */
package io.switchboard.router.aggregator.internal;
