package io.switchboard.worker.provider;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.nio.ManagedAsyncClientConnection;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.ManagedConnPool;
import org.apache.hc.core5.pool.PoolStats;
import org.apache.hc.core5.util.TimeValue;

/**
 * A connection pool over another ({@code connections}), which keeps the limits, the statistics and
 * the idle connections; a subclass decides how connections are leased and released.
 */
abstract class ForwardingConnPool
    implements ManagedConnPool<HttpRoute, ManagedAsyncClientConnection> {
  final ManagedConnPool<HttpRoute, ManagedAsyncClientConnection> connections;

  ForwardingConnPool(ManagedConnPool<HttpRoute, ManagedAsyncClientConnection> connections) {
    this.connections = connections;
  }

  @Override
  public void close() throws IOException {
    close(CloseMode.GRACEFUL);
  }

  @Override
  public void setMaxTotal(int max) {
    connections.setMaxTotal(max);
  }

  @Override
  public int getMaxTotal() {
    return connections.getMaxTotal();
  }

  @Override
  public void setDefaultMaxPerRoute(int max) {
    connections.setDefaultMaxPerRoute(max);
  }

  @Override
  public int getDefaultMaxPerRoute() {
    return connections.getDefaultMaxPerRoute();
  }

  @Override
  public void setMaxPerRoute(HttpRoute route, int max) {
    connections.setMaxPerRoute(route, max);
  }

  @Override
  public int getMaxPerRoute(HttpRoute route) {
    return connections.getMaxPerRoute(route);
  }

  @Override
  public void closeIdle(TimeValue idleTime) {
    connections.closeIdle(idleTime);
  }

  @Override
  public void closeExpired() {
    connections.closeExpired();
  }

  @Override
  public Set<HttpRoute> getRoutes() {
    return new HashSet<>(connections.getRoutes());
  }

  @Override
  public PoolStats getTotalStats() {
    return connections.getTotalStats();
  }

  @Override
  public PoolStats getStats(HttpRoute route) {
    return connections.getStats(route);
  }
}
