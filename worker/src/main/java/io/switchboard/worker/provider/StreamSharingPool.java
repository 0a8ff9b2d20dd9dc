package io.switchboard.worker.provider;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.nio.ManagedAsyncClientConnection;
import org.apache.hc.core5.concurrent.BasicFuture;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpConnection;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.ssl.ApplicationProtocol;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.pool.DefaultDisposalCallback;
import org.apache.hc.core5.pool.PoolEntry;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.pool.StrictConnPool;
import org.apache.hc.core5.reactor.ssl.TlsDetails;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The connection pool of the provider client: at most {@code maxPerHost} connections to a host, and
 * on an HTTP/2 connection at most {@code maxStreams} calls at once.
 *
 * <p>HttpClient's own pool lends a connection to one call at a time, HTTP/2 or not, so 50,000 calls
 * in flight would need 50,000 connections. Here a lease for a host that speaks HTTP/2 gets a share
 * of a connection already open (the least busy with a free stream), or waits for one: for a stream
 * to end, or for a connection being opened. A new connection is opened only when the ones being
 * opened will not have room for the calls waiting, so a burst of calls opens few connections rather
 * than one per call. Hosts that speak HTTP/1.1 lease from the underlying pool as before.
 *
 * <p>Whether a host speaks HTTP/2 is the version policy's answer ({@code FORCE_HTTP_2}: yes, {@code
 * FORCE_HTTP_1}: no); under {@code NEGOTIATE} it is what the first connection agreed in its TLS
 * handshake (ALPN), known once that connection is open ({@link #connected()}).
 *
 * <p>A shared connection is the pool's alone to close. It is lent to other calls only once its
 * HTTP/2 handshake is done (before, HttpCore reports a connection just set up as not open, and
 * HttpClient would discard it under the calls on it), is never lent again once it closes or begins
 * to, and goes back to the underlying pool, discarded if closed, when its last call ends. An idle
 * connection found closed when leased is reopened by the one call it is lent to.
 */
final class StreamSharingPool extends ForwardingConnPool {
  private final Function<HttpHost, HttpVersionPolicy> policies;
  private final int maxPerHost;
  private final int maxStreams;
  private final Map<HttpRoute, Host> hosts = new HashMap<>();

  /** The shared connections, with the calls on each. */
  private final Map<PoolEntry<HttpRoute, ManagedAsyncClientConnection>, SharedConnection> shared =
      new IdentityHashMap<>();

  /** The same connections, read without the lock by the calls' endpoints. */
  private final Set<HttpConnection> sharedConnections = ConcurrentHashMap.newKeySet();

  private boolean closed;

  /** A host that speaks, or may speak, HTTP/2. */
  private static final class Host {
    final HttpRoute route;

    /** The shared connections that are not broken, ready or not. */
    final List<SharedConnection> open = new ArrayList<>();

    final Deque<BasicFuture<PoolEntry<HttpRoute, ManagedAsyncClientConnection>>> waiting =
        new ArrayDeque<>();

    /** Connections asked of the underlying pool whose protocol is not known yet. */
    int opening;

    /** Leased, but not connected when lent. */
    final Set<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> connecting =
        java.util.Collections.newSetFromMap(new IdentityHashMap<>());

    /** Negotiated HTTP/1.1: every lease goes to the underlying pool. */
    boolean http1;

    /** How long a lease may wait in the underlying pool (the latest caller's). */
    Timeout timeout;

    Host(HttpRoute route) {
      this.route = route;
    }
  }

  StreamSharingPool(
      int maxTotal,
      int maxPerHost,
      int maxStreams,
      Function<HttpHost, HttpVersionPolicy> policies) {
    super(
        new StrictConnPool<>(
            maxPerHost,
            maxTotal,
            TimeValue.NEG_ONE_MILLISECOND,
            PoolReusePolicy.LIFO,
            new DefaultDisposalCallback<>(),
            null));
    this.policies = policies;
    this.maxPerHost = maxPerHost;
    this.maxStreams = maxStreams;
  }

  @Override
  public Future<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> lease(
      HttpRoute route,
      Object state,
      Timeout requestTimeout,
      FutureCallback<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> callback) {
    if (state != null || policies.apply(route.getTargetHost()) == HttpVersionPolicy.FORCE_HTTP_1) {
      return connections.lease(route, state, requestTimeout, callback);
    }
    BasicFuture<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> lease =
        new BasicFuture<>(callback);
    List<Runnable> then = new ArrayList<>();
    boolean direct;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("connection pool closed");
      }
      Host host = hosts.computeIfAbsent(route, Host::new);
      direct = host.http1;
      if (!direct) {
        host.timeout = requestTimeout;
        host.waiting.add(lease);
        serve(host, then);
      }
    }
    then.forEach(Runnable::run);
    return direct ? connections.lease(route, state, requestTimeout, callback) : lease;
  }

  /**
   * Gives waiting leases a stream of an open connection, or asks the underlying pool for a new
   * connection when those being opened will not hold the calls waiting. Runs under the lock; what
   * completes a lease goes to {@code then}, run after it.
   */
  private void serve(Host host, List<Runnable> then) {
    Timeout timeout = host.timeout;
    while (!host.waiting.isEmpty()) {
      BasicFuture<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> next = host.waiting.peek();
      if (next.isCancelled()) {
        host.waiting.poll();
        continue;
      }
      if (host.http1) {
        host.waiting.poll();
        then.add(() -> connections.lease(host.route, null, timeout, relay(next)));
        continue;
      }
      SharedConnection least = null;
      long comingRoom = (long) host.opening * (maxStreams - 1);
      for (SharedConnection s : host.open) {
        if (!s.ready) {
          comingRoom += maxStreams - s.calls;
        } else if (s.calls < maxStreams && (least == null || s.calls < least.calls)) {
          least = s;
        }
      }
      if (least != null && !least.connection.isOpen()) {
        retire(host, least);
        continue;
      }
      if (least != null) {
        least.calls++;
        host.waiting.poll();
        PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry = least.entry;
        then.add(() -> lend(next, entry));
        continue;
      }
      if (host.waiting.size() > comingRoom && host.opening + host.open.size() < maxPerHost) {
        host.waiting.poll();
        host.opening++;
        then.add(() -> connections.lease(host.route, null, timeout, opened(host, next)));
        continue;
      }
      return;
    }
  }

  /** Completes {@code lease} with a share of {@code entry}, or gives the share back. */
  private void lend(
      BasicFuture<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> lease,
      PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry) {
    if (!lease.completed(entry)) {
      release(entry, true);
    }
  }

  /** A share of a connection that closed or began to: off the open list, never lent again. */
  private static void retire(Host host, SharedConnection s) {
    s.broken = true;
    if (host != null) {
      host.open.remove(s);
    }
  }

  /** Passes the underlying pool's answer to {@code lease}, or gives the connection back. */
  private FutureCallback<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> relay(
      BasicFuture<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> lease) {
    return new FutureCallback<>() {
      @Override
      public void completed(PoolEntry<HttpRoute, ManagedAsyncClientConnection> result) {
        if (!lease.completed(result)) {
          connections.release(result, true);
        }
      }

      @Override
      public void failed(Exception ex) {
        lease.failed(ex);
      }

      @Override
      public void cancelled() {
        lease.cancel();
      }
    };
  }

  /** The underlying pool's answer to a lease that opens a connection for {@code host}. */
  private FutureCallback<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> opened(
      Host host, BasicFuture<PoolEntry<HttpRoute, ManagedAsyncClientConnection>> lease) {
    return new FutureCallback<>() {
      @Override
      public void completed(PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry) {
        if (entry.hasConnection() && !entry.getConnection().isOpen()) {
          // An idle connection that the server closed: opened anew by this one call, as if new.
          entry.discardConnection(CloseMode.IMMEDIATE);
        }
        List<Runnable> then = new ArrayList<>();
        synchronized (StreamSharingPool.this) {
          if (entry.hasConnection()) {
            host.opening--;
            classify(host, entry, then);
          } else {
            host.connecting.add(entry);
          }
          serve(host, then);
        }
        then.forEach(Runnable::run);
        if (!lease.completed(entry)) {
          release(entry, true);
        }
      }

      @Override
      public void failed(Exception ex) {
        ended(ex);
      }

      @Override
      public void cancelled() {
        ended(null);
      }

      private void ended(Exception ex) {
        List<Runnable> then = new ArrayList<>();
        synchronized (StreamSharingPool.this) {
          host.opening--;
          serve(host, then);
        }
        then.forEach(Runnable::run);
        if (ex == null) {
          lease.cancel();
        } else {
          lease.failed(ex);
        }
      }
    };
  }

  /**
   * A connected entry, lent to one call: shared when it speaks HTTP/2, with other calls once its
   * handshake is done, which a ping waits for. Runs under the lock; the ping is sent by {@code
   * then}.
   */
  private void classify(
      Host host, PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry, List<Runnable> then) {
    if (!speaksHttp2(entry)) {
      host.http1 = true;
      return;
    }
    SharedConnection s = new SharedConnection(entry);
    shared.put(entry, s);
    sharedConnections.add(s.connection);
    host.open.add(s);
    if (!s.ready) {
      then.add(() -> s.ping(answered -> handshaken(host, s, answered)));
    }
  }

  /** The answer to the ping of a new connection: lent to the calls waiting, or retired. */
  private void handshaken(Host host, SharedConnection s, boolean answered) {
    List<Runnable> then = new ArrayList<>();
    synchronized (this) {
      if (closed || shared.get(s.entry) != s || s.broken) {
        return;
      }
      if (answered && s.connection.isOpen()) {
        s.ready = true;
      } else {
        retire(host, s);
      }
      serve(host, then);
    }
    then.forEach(Runnable::run);
  }

  private boolean speaksHttp2(PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry) {
    HttpVersionPolicy policy = policies.apply(entry.getRoute().getTargetHost());
    if (policy == HttpVersionPolicy.FORCE_HTTP_2) {
      return true;
    }
    ManagedAsyncClientConnection connection = entry.getConnection();
    TlsDetails tls = connection.getTlsDetails();
    if (tls != null) {
      return ApplicationProtocol.HTTP_2.id.equals(tls.getApplicationProtocol());
    }
    ProtocolVersion version = connection.getProtocolVersion();
    return HttpVersion.HTTP_2.equals(version);
  }

  /**
   * A connection was opened: the entries lent before they were connected are shared now when they
   * speak HTTP/2, and the leases waiting for them get their streams.
   */
  void connected() {
    List<Runnable> then = new ArrayList<>();
    synchronized (this) {
      for (Host host : hosts.values()) {
        boolean changed = false;
        for (var it = host.connecting.iterator(); it.hasNext(); ) {
          PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry = it.next();
          if (entry.hasConnection()) {
            it.remove();
            host.opening--;
            classify(host, entry, then);
            changed = true;
          }
        }
        if (changed) {
          serve(host, then);
        }
      }
    }
    then.forEach(Runnable::run);
  }

  /**
   * One call is done with {@code entry}. For a shared connection {@code reusable} is not the call's
   * to decide (HttpClient computes it from the connection's state, which for a moment during the
   * HTTP/2 handshake reads as closed): the connection goes back to the underlying pool when its
   * last call ends, kept if it is still open.
   */
  @Override
  public void release(PoolEntry<HttpRoute, ManagedAsyncClientConnection> entry, boolean reusable) {
    List<Runnable> then = new ArrayList<>();
    boolean direct = true;
    boolean keep = reusable;
    synchronized (this) {
      Host host = hosts.get(entry.getRoute());
      SharedConnection s = shared.get(entry);
      if (s != null) {
        s.calls--;
        if (s.ready && !s.broken && !s.connection.isOpen()) {
          retire(host, s);
        }
        if (host != null) {
          serve(host, then);
        }
        direct = s.calls == 0;
        if (direct) {
          shared.remove(entry);
          sharedConnections.remove(s.connection);
          keep = !s.broken && entry.getConnection() == s.connection && s.connection.isOpen();
          if (host != null && host.open.remove(s)) {
            serve(host, then);
          }
        }
      } else if (host != null && host.connecting.remove(entry)) {
        host.opening--;
        serve(host, then);
      }
    }
    if (direct) {
      connections.release(entry, keep);
    }
    then.forEach(Runnable::run);
  }

  @Override
  public void close(CloseMode closeMode) {
    List<BasicFuture<?>> waiting = new ArrayList<>();
    synchronized (this) {
      closed = true;
      hosts.values().forEach(h -> waiting.addAll(h.waiting));
      hosts.clear();
    }
    waiting.forEach(BasicFuture::cancel);
    connections.close(closeMode);
  }

  /** Whether {@code connection} is shared by calls: then only the pool may close it. */
  boolean shares(HttpConnection connection) {
    return sharedConnections.contains(connection);
  }

  /** Calls at once on each HTTP/2 connection now shared (tests look at the spread). */
  synchronized List<Integer> streamsPerConnection() {
    List<Integer> out = new ArrayList<>();
    shared.values().forEach(s -> out.add(s.calls));
    return out;
  }
}
