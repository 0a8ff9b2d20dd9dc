package io.switchboard.worker.provider;

import org.apache.hc.client5.http.EndpointInfo;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.nio.AsyncClientExchangeHandler;
import org.apache.hc.core5.http.nio.AsyncPushConsumer;
import org.apache.hc.core5.http.nio.HandlerFactory;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * One call's hold on a connection. HttpClient closes the connection of a call that is cancelled or
 * fails, which over HTTP/1.1 is the only way to stop it; over HTTP/2 the call's own stream is reset
 * and the connection carries other calls, so it is kept. A connection that really broke is closed
 * by HttpCore itself and leaves the pool when its calls end.
 */
final class StreamEndpoint extends AsyncConnectionEndpoint {
  final AsyncConnectionEndpoint connection;
  private volatile boolean closed;

  StreamEndpoint(AsyncConnectionEndpoint connection) {
    this.connection = connection;
  }

  /** The endpoint HttpClient's manager made, under {@code endpoint} if it is one of these. */
  static AsyncConnectionEndpoint unwrap(AsyncConnectionEndpoint endpoint) {
    return endpoint instanceof StreamEndpoint e ? e.connection : endpoint;
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
    return !closed && connection.isConnected();
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
    EndpointInfo info = connection.getInfo();
    boolean http2 = info != null && HttpVersion.HTTP_2.equals(info.getProtocol());
    if (http2 && connection.isConnected()) {
      closed = true;
      return;
    }
    connection.close(closeMode);
  }
}
