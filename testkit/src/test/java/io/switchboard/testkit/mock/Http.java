package io.switchboard.testkit.mock;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The JDK's HTTP client, as the tests' client of the mock provider. */
final class Http {
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private Http() {}

  /** POSTs {@code body} with header name/value pairs and a 30 s timeout. */
  static HttpResponse<String> post(String url, String body, String... headers)
      throws IOException, InterruptedException {
    return post(url, body, Duration.ofSeconds(30), headers);
  }

  static HttpResponse<String> post(String url, String body, Duration timeout, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An OpenAI chat body. */
  static String chat(String model, String userText) {
    return "{\"model\":\""
        + model
        + "\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
        + "{\"role\":\"user\",\"content\":\""
        + userText
        + "\"}]}";
  }

  /** An Anthropic Messages body. */
  static String messages(String model, String userText, int maxTokens) {
    return "{\"model\":\""
        + model
        + "\",\"max_tokens\":"
        + maxTokens
        + ",\"system\":\"be brief\","
        + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\""
        + userText
        + "\"}]}]}";
  }
}
