package io.switchboard.worker.provider;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hc.client5.http.nio.ManagedAsyncClientConnection;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http2.nio.AsyncPingHandler;
import org.apache.hc.core5.http2.nio.command.PingCommand;
import org.apache.hc.core5.reactor.Command;

/**
 * A connection as HttpCore reports it, without a socket: open or not, the protocol its handler
 * speaks (HTTP/1.1, the default, until the HTTP/2 handler is in place), the commands sent to it.
 */
final class FakeConnection implements InvocationHandler {
  final ManagedAsyncClientConnection connection =
      (ManagedAsyncClientConnection)
          Proxy.newProxyInstance(
              FakeConnection.class.getClassLoader(),
              new Class<?>[] {ManagedAsyncClientConnection.class},
              this);
  private final List<Command> commands = new CopyOnWriteArrayList<>();
  private volatile boolean open = true;
  private volatile ProtocolVersion protocol;
  private volatile int closes;

  private FakeConnection(ProtocolVersion protocol) {
    this.protocol = protocol;
  }

  /** An HTTP/2 connection past its handshake. */
  static FakeConnection up() {
    return new FakeConnection(HttpVersion.HTTP_2);
  }

  /** A connection just opened: its HTTP/2 preface not yet sent. */
  static FakeConnection starting() {
    return new FakeConnection(HttpVersion.HTTP_1_1);
  }

  /** The HTTP/2 handshake ends: the handler is in place and the pings sent so far are answered. */
  void handshake() throws Exception {
    protocol = HttpVersion.HTTP_2;
    for (Command c : commands) {
      if (c instanceof PingCommand ping) {
        commands.remove(c);
        AsyncPingHandler handler = ping.getHandler();
        handler.consumeResponse(handler.getData());
      }
    }
  }

  /**
   * The server closes the connection; the commands still waiting are cancelled, as HttpCore does.
   */
  void closedByPeer() {
    open = false;
    commands.forEach(Command::cancel);
  }

  /** How many times the client closed it. */
  int closes() {
    return closes;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) {
    return switch (method.getName()) {
      case "isOpen" -> open;
      case "getProtocolVersion" -> protocol;
      case "submitCommand" -> {
        commands.add((Command) args[0]);
        yield null;
      }
      case "close" -> {
        open = false;
        closes++;
        yield null;
      }
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      case "toString" -> "fake connection";
      default -> null;
    };
  }
}
