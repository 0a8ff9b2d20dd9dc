package io.switchboard.worker.provider;

import java.util.function.Predicate;
import org.apache.hc.client5.http.EndpointInfo;
import org.apache.hc.client5.http.impl.ConnectionHolder;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.core5.http.HttpConnection;
import org.apache.hc.core5.http.nio.AsyncClientExchangeHandler;
import org.apache.hc.core5.http.nio.AsyncPushConsumer;
import org.apache.hc.core5.http.nio.HandlerFactory;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * One call's hold on a connection. HttpClient closes the connection of a call that is cancelled or
 * fails, which over HTTP/1.1 is the only way to stop it; over HTTP/2 the call's own stream is reset
 * and the connection carries other calls, so a shared connection is never closed here. Nor is it
 * discarded when found closed, as HttpClient's own check does: the other calls on it still hold it,
 * and the pool discards it when the last of them ends ({@link StreamSharingPool}).
 */
final class StreamEndpoint extends AsyncConnectionEndpoint {
  final AsyncConnectionEndpoint connection;
  private final Predicate<HttpConnection> shared;
  private volatile boolean closed;

  /** A hold on {@code connection}; {@code shared} tells whether calls share a connection. */
  StreamEndpoint(AsyncConnectionEndpoint connection, Predicate<HttpConnection> shared) {
    this.connection = connection;
    this.shared = shared;
  }

  /** The endpoint HttpClient's manager made, under {@code endpoint} if it is one of these. */
  static AsyncConnectionEndpoint unwrap(AsyncConnectionEndpoint endpoint) {
    return endpoint instanceof StreamEndpoint e ? e.connection : endpoint;
  }

  /** The connection of {@code endpoint}'s pool entry, null while it has none. */
  static HttpConnection connectionOf(AsyncConnectionEndpoint endpoint) {
    return unwrap(endpoint) instanceof ConnectionHolder holder ? holder.get() : null;
  }

  /** The connection under this call when calls share it, else null. */
  private HttpConnection sharedConnection() {
    HttpConnection c = connectionOf(connection);
    return c != null && shared.test(c) ? c : null;
  }

  @Override
  public void execute(
      String id,
      AsyncClientExchangeHandler exchangeHandler,
      HandlerFactory<AsyncPushConsumer> pushHandlerFactory,
      HttpContext context) {
    connection.execute(id, exchangeHandler, pushHandlerFactory, context);
  }

  @Override
  public boolean isConnected() {
    if (closed) {
      return false;
    }
    HttpConnection c = sharedConnection();
    return c != null ? c.isOpen() : connection.isConnected();
  }

  @Override
  public void setSocketTimeout(Timeout timeout) {
    connection.setSocketTimeout(timeout);
  }

  @Override
  public EndpointInfo getInfo() {
    return connection.getInfo();
  }

  @Override
  public void close(CloseMode closeMode) {
    if (sharedConnection() != null) {
      closed = true;
      return;
    }
    connection.close(closeMode);
  }
}
