package io.switchboard.app.reliability;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A careless provider on 127.0.0.1 that answers every chat call with an error whose message repeats
 * the credential it was sent, as some real providers and proxies do. Calls with an even sequence
 * number get a 401 ({@code Incorrect API key provided: <key>}), odd ones a 400 that also quotes the
 * {@code Authorization} header; the key is in the body and in a response header.
 */
final class KeyEchoingProvider implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger calls = new AtomicInteger();

  KeyEchoingProvider() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "key-echoing-provider");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          String auth = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
          String key = auth.startsWith("Bearer ") ? auth.substring("Bearer ".length()) : auth;
          int n = calls.getAndIncrement();
          int status = n % 2 == 0 ? 401 : 400;
          String message =
              status == 401
                  ? "Incorrect API key provided: "
                      + key
                      + ". You can find your API key at https://platform.openai.com/account/api-keys."
                  : "Invalid header: Authorization: " + auth + " is not accepted for this model";
          byte[] body =
              ("{\"error\":{\"message\":\""
                      + message
                      + "\",\"type\":\"invalid_request_error\",\"param\":null,"
                      + "\"code\":\"invalid_api_key\"}}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("content-type", "application/json");
          exchange.getResponseHeaders().add("x-echo-key", key);
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  /** {@code http://127.0.0.1:PORT/v1}: an OpenAI-compatible api_base. */
  String apiBase() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  int calls() {
    return calls.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
