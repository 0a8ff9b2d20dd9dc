package io.switchboard.testkit.mock;

import static io.switchboard.testkit.mock.Http.chat;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncRequester;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.nio.entity.StringAsyncEntityConsumer;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2RequesterBootstrap;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock provider over HTTP/2 with prior knowledge (h2c). */
@org.junit.jupiter.api.Timeout(60)
class MockProviderHttp2Test {
  private MockProvider mock;
  private HttpAsyncRequester h2;

  @BeforeEach
  void start() {
    mock = MockProvider.start(MockProviderOptions.defaults().withHttp2(true));
    h2 = H2RequesterBootstrap.bootstrap().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_2).create();
    h2.start();
  }

  @AfterEach
  void stop() {
    h2.close(CloseMode.IMMEDIATE);
    mock.close();
  }

  private Future<Message<HttpResponse, String>> post(String deployment, String body) {
    return h2.execute(
        new BasicRequestProducer(
            "POST",
            URI.create(mock.baseUrl(deployment) + "/v1/chat/completions"),
            AsyncEntityProducers.create(body, ContentType.APPLICATION_JSON)),
        new BasicResponseConsumer<>(new StringAsyncEntityConsumer()),
        Timeout.ofSeconds(30),
        null);
  }

  @Test
  void answersManyConcurrentStreamsOfOneConnectionAndCountsThemAsHttp2() throws Exception {
    mock.behave("slow", Behavior.ok().withLatencyMs(300));
    List<Future<Message<HttpResponse, String>>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(post("slow", chat("m", "hi " + i)));
    }
    for (Future<Message<HttpResponse, String>> call : calls) {
      Message<HttpResponse, String> answer = call.get(30, TimeUnit.SECONDS);
      assertThat(answer.getHead().getCode()).isEqualTo(200);
      assertThat(answer.getBody()).contains("\"chat.completion\"");
    }
    assertThat(mock.calls("slow")).hasSize(200);
    assertThat(mock.requestsOver(HttpVersion.HTTP_2)).isEqualTo(200);
    assertThat(mock.requestsOver(HttpVersion.HTTP_1_1)).isZero();
  }

  @Test
  void readsABodyLargerThanTheInitialFlowControlWindow() throws Exception {
    String body = chat("m", "x".repeat(200_000));
    Message<HttpResponse, String> answer = post("big", body).get(30, TimeUnit.SECONDS);
    assertThat(answer.getHead().getCode()).isEqualTo(200);
    assertThat(mock.calls("big"))
        .singleElement()
        .satisfies(c -> assertThat(c.status()).isEqualTo(200));
  }

  @Test
  void theDefaultServerCountsHttp11() throws Exception {
    try (MockProvider plain = MockProvider.start()) {
      assertThat(
              Http.post(plain.baseUrl("d") + "/v1/chat/completions", chat("m", "hi")).statusCode())
          .isEqualTo(200);
      assertThat(plain.requestsOver(HttpVersion.HTTP_1_1)).isEqualTo(1);
      assertThat(plain.requestsOver(HttpVersion.HTTP_2)).isZero();
    }
  }
}
