package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.testing.Responder;
import io.switchboard.client.testing.TestKafka;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class SwitchboardClientIT {

  static RouteRequest request(String id, String content) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.putArray("messages").addObject().put("role", "user").put("content", content);
    return RouteRequest.of(id, "echo", body);
  }

  @Test
  void concurrentRequestsAreCorrelatedByIdAndAddressedToTheClientsOwnReplyTopic() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    try (Responder responder = new Responder(conn);
        SwitchboardClient client =
            SwitchboardClient.create(
                conn, ClientOptions.builder().clientId("corr").maxInFlight(300).build())) {
      responder.duplicateReplies(true);
      assertThat(client.replyTopic()).isEqualTo(conn.topics().replies() + ".corr");
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<List<CompletableFuture<RouteReply>>>> batches = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        batches.add(
            pool.submit(
                () ->
                    IntStream.range(0, 500)
                        .mapToObj(
                            i ->
                                client.submit(
                                    request("r-" + thread + "-" + i, "hello " + thread + "/" + i)))
                        .toList()));
      }
      for (int t = 0; t < 4; t++) {
        List<CompletableFuture<RouteReply>> futures = batches.get(t).get();
        for (int i = 0; i < futures.size(); i++) {
          RouteReply reply = futures.get(i).get(60, TimeUnit.SECONDS);
          assertThat(reply.id()).isEqualTo("r-" + t + "-" + i);
          assertThat(reply.status()).isEqualTo(ReplyStatus.OK);
          assertThat(reply.response().at("/choices/0/message/content").asText())
              .isEqualTo("echo: hello " + t + "/" + i);
        }
      }
      pool.shutdown();
      assertThat(responder.replyTopicsSeen).containsExactly(client.replyTopic());
      assertThat(client.inFlight()).isZero();
    }
  }

  @Test
  void aRequestWithoutReplyTimesOutWithItsIdInTheMessage() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    try (Responder responder = new Responder(conn);
        SwitchboardClient client =
            SwitchboardClient.create(conn, ClientOptions.builder().clientId("timeout").build())) {
      CompletableFuture<RouteReply> silent =
          client.submit(request("never-answered", "[silent]"), Duration.ofMillis(800));
      RouteReply answered = client.submit(request("answered", "hi"), Duration.ofSeconds(60)).get();
      assertThat(answered.status()).isEqualTo(ReplyStatus.OK);
      assertThatThrownBy(() -> silent.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(TimeoutException.class)
          .hasMessageContaining("never-answered")
          .hasMessageContaining(client.replyTopic());
      assertThat(client.inFlight()).isZero();
    }
  }

  @Test
  void submitBlocksWhileMaxInFlightRequestsAwaitReplies() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    try (Responder responder = new Responder(conn);
        SwitchboardClient client =
            SwitchboardClient.create(
                conn, ClientOptions.builder().clientId("bounded").maxInFlight(5).build())) {
      responder.hold();
      List<CompletableFuture<RouteReply>> first = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        first.add(client.submit(request("b-" + i, "x")));
      }
      AtomicInteger sixthSubmitted = new AtomicInteger();
      Thread sixth =
          new Thread(
              () -> {
                client.submit(request("b-5", "x"));
                sixthSubmitted.set(1);
              });
      sixth.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> responder.received.get() == 5);
      await().atMost(Duration.ofSeconds(30)).until(() -> sixth.getState() == Thread.State.WAITING);
      assertThat(sixthSubmitted.get()).isZero();
      assertThat(client.inFlight()).isEqualTo(5);
      responder.release();
      for (CompletableFuture<RouteReply> f : first) {
        assertThat(f.get(60, TimeUnit.SECONDS).status()).isEqualTo(ReplyStatus.OK);
      }
      sixth.join(60_000);
      assertThat(sixthSubmitted.get()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(30)).until(() -> responder.received.get() == 6);
    }
  }

  @Test
  void submitAllStreamsEveryRequestAndReturnsWhenAllAreAnswered() throws Exception {
    ConnectionSettings conn = TestKafka.freshConnection();
    try (Responder responder = new Responder(conn);
        SwitchboardClient client =
            SwitchboardClient.create(
                conn,
                ClientOptions.builder()
                    .clientId("all")
                    .maxInFlight(50)
                    .requestTimeout(Duration.ofSeconds(3))
                    .build())) {
      ConcurrentLinkedQueue<RouteReply> replies = new ConcurrentLinkedQueue<>();
      SubmitAllResult result =
          client.submitAll(
              IntStream.range(0, 1000)
                  .mapToObj(
                      i ->
                          request(
                              "s-" + i, i % 100 == 7 ? "[fail]" : i == 500 ? "[silent]" : "m" + i)),
              replies::add);
      assertThat(result.submitted()).isEqualTo(1000);
      assertThat(result.answered()).isEqualTo(999);
      assertThat(result.failures())
          .singleElement()
          .satisfies(
              f -> {
                assertThat(f.requestId()).isEqualTo("s-500");
                assertThat(f.error()).isInstanceOf(TimeoutException.class);
              });
      assertThat(replies).hasSize(999);
      assertThat(replies.stream().filter(r -> r.status() == ReplyStatus.ERROR)).hasSize(10);
      assertThat(replies.stream().map(RouteReply::id).distinct()).hasSize(999);
    }
  }

  @Test
  void aReplyTopicOffTheAllowlistIsRefusedUpFront() {
    ConnectionSettings conn = TestKafka.freshConnection();
    assertThatThrownBy(
            () ->
                SwitchboardClient.create(
                    conn, ClientOptions.builder().replyTopic("elsewhere").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'elsewhere'")
        .hasMessageContaining("allowlist");
  }
}
