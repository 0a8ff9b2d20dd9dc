package io.switchboard.worker.provider;

import io.switchboard.schemas.config.HttpVersionChoice;
import io.switchboard.schemas.config.WorkerSettings;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.DefaultSchemePortResolver;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.nio.AsyncClientConnectionOperator;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.concurrent.BasicFuture;
import org.apache.hc.core5.concurrent.ComplexFuture;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpConnection;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.reactor.ConnectionInitiator;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The connections to providers: which HTTP version each host is spoken to in ({@code
 * worker_settings.http_version}), and the pool that holds them ({@link StreamSharingPool}: {@code
 * max_connections} in all, {@code max_connections_per_host} to one host, {@code
 * max_streams_per_connection} calls on one HTTP/2 connection).
 */
final class ProviderConnections extends PoolingAsyncClientConnectionManager {
  private final StreamSharingPool pool;

  private ProviderConnections(StreamSharingPool pool, AsyncClientConnectionOperator operator) {
    super(pool, operator);
    this.pool = pool;
  }

  /** The connection manager for {@code settings}, each connection opened within {@code connect}. */
  static ProviderConnections create(WorkerSettings settings, Timeout connect) {
    HttpVersionChoice choice = settings.httpVersion();
    StreamSharingPool pool =
        new StreamSharingPool(
            settings.maxConnections(),
            settings.maxConnectionsPerHost(),
            settings.maxStreamsPerConnection(),
            host -> policy(choice, host));
    ProviderConnections connections = new ProviderConnections(pool, operator());
    connections.setDefaultConnectionConfig(
        ConnectionConfig.custom().setConnectTimeout(connect).build());
    List<TlsConfig> byPolicy =
        List.of(
            TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build(),
            TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2).build(),
            TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.NEGOTIATE).build());
    connections.setTlsConfigResolver(
        host ->
            switch (policy(choice, host)) {
              case FORCE_HTTP_1 -> byPolicy.get(0);
              case FORCE_HTTP_2 -> byPolicy.get(1);
              case NEGOTIATE -> byPolicy.get(2);
            });
    return connections;
  }

  /**
   * How {@code host} is spoken to: {@code auto} negotiates over TLS (ALPN) and keeps plain {@code
   * http} on HTTP/1.1, which every OpenAI-compatible local server speaks; {@code http2} over plain
   * {@code http} is h2c with prior knowledge.
   */
  static HttpVersionPolicy policy(HttpVersionChoice choice, HttpHost host) {
    return switch (choice) {
      case HTTP1 -> HttpVersionPolicy.FORCE_HTTP_1;
      case HTTP2 -> HttpVersionPolicy.FORCE_HTTP_2;
      case AUTO ->
          URIScheme.HTTPS.same(host.getSchemeName())
              ? HttpVersionPolicy.NEGOTIATE
              : HttpVersionPolicy.FORCE_HTTP_1;
    };
  }

  /** The stock connection operator (DNS, TLS with ALPN), which HttpClient builds only this way. */
  private static AsyncClientConnectionOperator operator() {
    return new PoolingAsyncClientConnectionManagerBuilder() {
      AsyncClientConnectionOperator stock() {
        return createConnectionOperator(
            DefaultClientTlsStrategy.createDefault(),
            DefaultSchemePortResolver.INSTANCE,
            SystemDefaultDnsResolver.INSTANCE);
      }
    }.stock();
  }

  /** Each call's hold on a connection as a {@link StreamEndpoint}. */
  @Override
  public Future<AsyncConnectionEndpoint> lease(
      String id,
      HttpRoute route,
      Object state,
      Timeout requestTimeout,
      FutureCallback<AsyncConnectionEndpoint> callback) {
    ComplexFuture<AsyncConnectionEndpoint> result = new ComplexFuture<>(callback);
    result.setDependency(
        super.lease(
            id,
            route,
            state,
            requestTimeout,
            new FutureCallback<>() {
              @Override
              public void completed(AsyncConnectionEndpoint endpoint) {
                if (!result.completed(new StreamEndpoint(endpoint, pool::shares))) {
                  ProviderConnections.super.release(endpoint, null, TimeValue.ZERO_MILLISECONDS);
                }
              }

              @Override
              public void failed(Exception ex) {
                result.failed(ex);
              }

              @Override
              public void cancelled() {
                result.cancel();
              }
            }));
    return result;
  }

  @Override
  public void release(AsyncConnectionEndpoint endpoint, Object state, TimeValue keepAlive) {
    super.release(StreamEndpoint.unwrap(endpoint), state, keepAlive);
  }

  @Override
  public void upgrade(AsyncConnectionEndpoint endpoint, Object attachment, HttpContext context) {
    super.upgrade(StreamEndpoint.unwrap(endpoint), attachment, context);
  }

  @Override
  public void upgrade(
      AsyncConnectionEndpoint endpoint,
      Object attachment,
      HttpContext context,
      FutureCallback<AsyncConnectionEndpoint> callback) {
    super.upgrade(
        StreamEndpoint.unwrap(endpoint),
        attachment,
        context,
        callback == null ? null : relay(endpoint, callback, false));
  }

  /**
   * Also tells the pool when a connection is open, so that its waiting calls can share it. A shared
   * connection that closed is not opened again: HttpClient would put a new connection into the pool
   * entry under the other calls on it (or fail, when two of them try), so the call fails before its
   * request is sent, as the calls on a connection that closes do, and may be retried.
   */
  @Override
  public Future<AsyncConnectionEndpoint> connect(
      AsyncConnectionEndpoint endpoint,
      ConnectionInitiator initiator,
      Timeout timeout,
      Object attachment,
      HttpContext context,
      FutureCallback<AsyncConnectionEndpoint> callback) {
    HttpConnection current = StreamEndpoint.connectionOf(endpoint);
    if (current != null && pool.shares(current)) {
      BasicFuture<AsyncConnectionEndpoint> refused = new BasicFuture<>(callback);
      refused.failed(new RequestNotExecutedException("shared HTTP/2 connection closed"));
      return refused;
    }
    return super.connect(
        StreamEndpoint.unwrap(endpoint),
        initiator,
        timeout,
        attachment,
        context,
        relay(endpoint, callback, true));
  }

  /** Completes {@code callback} with the caller's {@code endpoint}, not the one underneath. */
  private FutureCallback<AsyncConnectionEndpoint> relay(
      AsyncConnectionEndpoint endpoint,
      FutureCallback<AsyncConnectionEndpoint> callback,
      boolean connecting) {
    return new FutureCallback<>() {
      @Override
      public void completed(AsyncConnectionEndpoint result) {
        if (connecting) {
          pool.connected();
        }
        if (callback != null) {
          callback.completed(endpoint);
        }
      }

      @Override
      public void failed(Exception ex) {
        if (callback != null) {
          callback.failed(ex);
        }
      }

      @Override
      public void cancelled() {
        if (callback != null) {
          callback.cancelled();
        }
      }
    };
  }

  /** Calls at once on each shared HTTP/2 connection. */
  List<Integer> streamsPerConnection() {
    return pool.streamsPerConnection();
  }
}
