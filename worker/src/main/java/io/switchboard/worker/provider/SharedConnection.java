package io.switchboard.worker.provider;

import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.nio.ManagedAsyncClientConnection;
import org.apache.hc.core5.function.Callback;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http2.nio.command.PingCommand;
import org.apache.hc.core5.http2.nio.support.BasicPingHandler;
import org.apache.hc.core5.pool.PoolEntry;
import org.apache.hc.core5.reactor.Command;

/**
 * An HTTP/2 connection that {@link StreamSharingPool} lends to {@code calls} calls at once. The
 * pool's lock guards the counts and flags.
 */
final class SharedConnection {
  final PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry;
  final ManagedAsyncClientConnection connection;
  int calls = 1;

  /**
   * Its HTTP/2 handshake is done: other calls may have streams of it. Until then HttpCore reports a
   * new connection as not open for a moment (its HTTP/2 handler is in place but not started), which
   * is no close; from then on, not open means closed or closing.
   */
  boolean ready;

  /** Closed or closing: lent no more, and discarded when its last call ends. */
  boolean broken;

  /** The connected {@code entry}, lent to one call so far. */
  SharedConnection(PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry) {
    this.entry = entry;
    this.connection = entry.getConnection();
    this.ready = connection.isOpen() && HttpVersion.HTTP_2.equals(connection.getProtocolVersion());
  }

  /**
   * Pings the server: HttpCore sends the ping once the handshake is done, and {@code answered}
   * hears true when the answer comes, false when the connection closes first.
   */
  void ping(Callback<Boolean> answered) {
    connection.submitCommand(
        new PingCommand(new BasicPingHandler(answered)), Command.Priority.IMMEDIATE);
  }
}
