package io.switchboard.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.nio.ManagedAsyncClientConnection;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.PoolEntry;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool's part in keeping a shared HTTP/2 connection whole, played as HttpClient's connection
 * manager plays it (lease, connect the entry, release), over connections without sockets.
 */
@org.junit.jupiter.api.Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamSharingPoolTest {
  private static final HttpRoute ROUTE = new HttpRoute(new HttpHost("http", "127.0.0.1", 8080));

  /** Up to 4 connections to the host, 3 calls on each. */
  private final StreamSharingPool pool =
      new StreamSharingPool(20, 4, 3, host -> HttpVersionPolicy.FORCE_HTTP_2);

  @AfterEach
  void close() {
    pool.close(CloseMode.IMMEDIATE);
  }

  private Future<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> lease() {
    return pool.lease(ROUTE, null, Timeout.ofSeconds(5), null);
  }

  private static PoolEntry<HttpRoute, ManagedAsyncClientConnection> now(
      Future<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> lease) throws Exception {
    assertThat(lease).isDone();
    return lease.get();
  }

  /** The call a new entry was lent to connects it, as HttpClient's manager does. */
  private void connect(
      PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry, FakeConnection connection) {
    assertThat(entry.hasConnection()).isFalse();
    entry.assignConnection(connection.connection);
    pool.connected();
  }

  @Test
  void aNewConnectionIsSharedOnlyOnceItsHandshakeIsDone() throws Exception {
    PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry = now(lease());
    FakeConnection connection = FakeConnection.starting();
    connect(entry, connection);

    Future<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> second = lease();
    assertThat(second).isNotDone();

    connection.handshake();
    assertThat(now(second)).isSameAs(entry);
    assertThat(pool.streamsPerConnection()).containsExactly(2);
  }

  @Test
  void aNewConnectionThatClosesBeforeItsHandshakeIsNeverShared() throws Exception {
    PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry = now(lease());
    FakeConnection connection = FakeConnection.starting();
    connect(entry, connection);
    Future<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> second = lease();

    connection.closedByPeer();
    PoolEntry<HttpRoute, ManagedAsyncClientConnection> other = now(second);
    assertThat(other).isNotSameAs(entry);
    assertThat(other.hasConnection()).isFalse();
  }

  @Test
  void callsWaitingForAHandshakeAreServedWhenTheFirstCallEndsBeforeIt() throws Exception {
    PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry = now(lease());
    connect(entry, FakeConnection.starting());
    Future<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> second = lease();
    assertThat(second).isNotDone();

    pool.release(entry, true);
    assertThat(now(second)).isSameAs(entry);
  }

  @Test
  void aSharedConnectionThatClosesIsLentNoMoreAndLeavesWithItsLastCall() throws Exception {
    PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry = now(lease());
    FakeConnection connection = FakeConnection.up();
    connect(entry, connection);
    assertThat(now(lease())).isSameAs(entry);

    connection.closedByPeer();
    PoolEntry<HttpRoute, ManagedAsyncClientConnection> other = now(lease());
    assertThat(other).isNotSameAs(entry);
    assertThat(other.hasConnection()).isFalse();

    pool.release(entry, true);
    assertThat(entry.hasConnection()).isTrue();
    pool.release(entry, true);
    assertThat(entry.hasConnection()).isFalse();
    assertThat(pool.getStats(ROUTE).getAvailable()).isZero();
  }

  @Test
  void oneCallsReleaseNeverClosesTheConnectionUnderTheOthers() throws Exception {
    PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry = now(lease());
    FakeConnection connection = FakeConnection.up();
    connect(entry, connection);
    assertThat(now(lease())).isSameAs(entry);

    pool.release(entry, false);
    assertThat(connection.closes()).isZero();
    assertThat(now(lease())).isSameAs(entry);
    pool.release(entry, false);
    pool.release(entry, false);
    assertThat(connection.closes()).isZero();
    assertThat(pool.getStats(ROUTE).getAvailable()).isEqualTo(1);
  }

  @Test
  void anIdleConnectionFoundClosedIsReopenedByOneCallOnly() throws Exception {
    PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry = now(lease());
    FakeConnection first = FakeConnection.up();
    connect(entry, first);
    pool.release(entry, true);
    assertThat(pool.getStats(ROUTE).getAvailable()).isEqualTo(1);

    first.closedByPeer();
    PoolEntry<HttpRoute, ManagedAsyncClientConnection> reopened = now(lease());
    assertThat(reopened.hasConnection()).isFalse();
    Future<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> next = lease();
    assertThat(next).isNotDone();

    connect(reopened, FakeConnection.up());
    assertThat(now(next)).isSameAs(reopened);
  }
}
