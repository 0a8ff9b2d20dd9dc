package io.switchboard.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Ports on 127.0.0.1 that were free a moment ago, for processes that need their ports before they
 * start.
 */
public final class FreePorts {
  private FreePorts() {}

  /** A port free on 127.0.0.1 now (another process could take it before it is used). */
  public static int next() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  /** {@code n} different ports free on 127.0.0.1 now. */
  public static List<Integer> distinct(int n) {
    Set<Integer> ports = new LinkedHashSet<>();
    while (ports.size() < n) {
      ports.add(next());
    }
    return new ArrayList<>(ports);
  }
}
