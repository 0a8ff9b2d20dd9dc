package io.switchboard.sandbox;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible provider on 127.0.0.1 whose content filter refuses every chat call, in the
 * two shapes Azure OpenAI uses: under {@code /refuse/v1} a 400 with the error code {@code
 * content_filter}, under {@code /filter/v1} a 200 completion ending with {@code finish_reason:
 * content_filter}.
 */
final class ContentFilterProvider implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger calls = new AtomicInteger();

  ContentFilterProvider() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "content-filter-provider");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          calls.incrementAndGet();
          boolean refuse = exchange.getRequestURI().getPath().startsWith("/refuse/");
          String body =
              refuse
                  ? "{\"error\":{\"message\":\"The response was filtered due to the prompt triggering Azure OpenAI's content "
                      + "management policy.\",\"type\":null,\"param\":\"prompt\",\"code\":\"content_filter\",\"status\":400}}"
                  : "{\"id\":\"chatcmpl-f\",\"object\":\"chat.completion\",\"model\":\"filtered\",\"choices\":[{\"index\":0,"
                      + "\"message\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":\"content_filter\"}],"
                      + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":0,\"total_tokens\":5}}";
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("content-type", "application/json");
          exchange.sendResponseHeaders(refuse ? 400 : 200, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
  }

  /** {@code http://127.0.0.1:PORT}: add {@code /refuse/v1} or {@code /filter/v1}. */
  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  int calls() {
    return calls.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
