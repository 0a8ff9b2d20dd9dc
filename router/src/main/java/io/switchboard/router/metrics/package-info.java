/**
 * The router process's Micrometer meters: every meter declared once in {@link
 * io.switchboard.router.metrics.RouterMeter}, registered by the binder {@link
 * io.switchboard.router.metrics.RouterMetrics}.
 */
package io.switchboard.router.metrics;
