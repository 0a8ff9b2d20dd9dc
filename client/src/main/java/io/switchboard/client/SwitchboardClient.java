package io.switchboard.client;

import io.switchboard.client.internal.ReplyReader;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.topics.Topic;
import io.switchboard.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer-side Java API of Switchboard: publishes {@link RouteRequest}s to the requests topic
 * and completes a future with each request's one {@link RouteReply}.
 *
 * <p>Each client reads its own reply topic, {@code <replies>.<clientId>} by default (created if
 * missing; the default {@code reply_topics} allowlist admits {@code switchboard.replies.*}), and
 * sets {@code reply_to} on every request to it. One background thread reads that topic with {@code
 * read_committed} and correlates replies by request id. Requests are keyed by their id and sent by
 * an idempotent producer with {@code acks=all}.
 *
 * <p>At most {@link ClientOptions#maxInFlight()} requests await a reply at once: {@link #submit}
 * blocks while the bound is reached. A request without a reply within its timeout completes
 * exceptionally with a {@link TimeoutException} naming its id; a reply arriving later goes to
 * {@link ClientOptions#unmatchedReplies()}.
 *
 * <p>Futures complete on the reply thread: do not block in dependent stages (use the {@code
 * ...Async} variants for slow work).
 *
 * <pre>{@code
 * ConnectionSettings kafka = ConnectionSettings.of(Map.of("bootstrap.servers", "localhost:9092"));
 * try (SwitchboardClient client = SwitchboardClient.create(kafka, ClientOptions.builder()
 *     .clientId("billing-app").maxInFlight(200).requestTimeout(Duration.ofSeconds(60)).build())) {
 *   ObjectNode body = (ObjectNode) Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
 *   RouteReply reply = client.submit(RouteRequest.of("req-1", "gpt-4o", body)).get();
 *   System.out.println(reply.status() + " " + reply.response());
 *
 *   // many requests, bounded in flight, replies handed over as they arrive
 *   SubmitAllResult result = client.submitAll(requests.stream(), r -> System.out.println(r.id()));
 * }
 * }</pre>
 */
public final class SwitchboardClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SwitchboardClient.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final ClientOptions options;
  private final Topic<String, RouteRequest> requests;
  private final String replyTopic;
  private final KafkaProducer<String, RouteRequest> producer;
  private final ReplyReader reader;
  private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final Semaphore permits;
  private final ScheduledThreadPoolExecutor timer;
  private volatile boolean closed;

  private SwitchboardClient(ConnectionSettings connection, ClientOptions options) {
    this.options = options;
    Topics topics = connection.typedTopics();
    this.requests = topics.requests();
    this.replyTopic = options.replyTopicFor(connection.topics().replies());
    if (!connection.replyTopicAllowed(replyTopic)) {
      throw new IllegalArgumentException(
          "reply topic '"
              + replyTopic
              + "' is not on the reply_topics allowlist "
              + connection.replyTopics()
              + "; the router would refuse these requests. Choose a client id or reply topic"
              + " the allowlist admits, or add it to reply_topics in the config");
    }
    this.permits = new Semaphore(options.maxInFlight());
    ensureReplyTopic(connection);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "switchboard-client-timeouts");
              t.setDaemon(true);
              return t;
            });
    this.timer.setRemoveOnCancelPolicy(true);
    this.reader =
        new ReplyReader(
            connection.kafka(),
            Topics.reply(replyTopic),
            options.replyFrom() == ClientOptions.ReplyStart.BEGINNING,
            this::onReply);
    try {
      reader.start(START_TIMEOUT);
      this.producer =
          new KafkaProducer<>(
              producerProps(connection.kafka(), options.clientId()),
              requests.keySerde().serializer(),
              requests.valueSerde().serializer());
    } catch (RuntimeException e) {
      reader.close();
      timer.shutdownNow();
      throw e;
    }
  }

  /**
   * Creates the client: makes sure its reply topic exists, starts the reply reader at the
   * configured position and opens the producer.
   *
   * @throws IllegalArgumentException when the reply topic is not on the allowlist
   * @throws IllegalStateException when the broker cannot be reached or the topic not created
   */
  public static SwitchboardClient create(ConnectionSettings connection, ClientOptions options) {
    return new SwitchboardClient(
        Objects.requireNonNull(connection, "connection"),
        Objects.requireNonNull(options, "options"));
  }

  private static Map<String, Object> producerProps(Map<String, String> kafka, String clientId) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "switchboard-client-" + clientId);
    props.putAll(kafka);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return props;
  }

  private void ensureReplyTopic(ConnectionSettings connection) {
    Map<String, Object> props = new HashMap<>(connection.kafka());
    try (Admin admin = Admin.create(props)) {
      NewTopic topic =
          new NewTopic(
                  replyTopic, options.replyPartitions(), connection.topics().replicationFactor())
              .configs(
                  Map.of(
                      TopicConfig.RETENTION_MS_CONFIG,
                      Long.toString(options.replyRetention().toMillis())));
      try {
        admin.createTopics(List.of(topic)).all().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        LOG.info("created reply topic '{}'", replyTopic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "cannot create reply topic '" + replyTopic + "': " + e.getCause().getMessage(),
              e.getCause());
        }
      } catch (TimeoutException e) {
        throw new IllegalStateException(
            "cannot create reply topic '"
                + replyTopic
                + "' within "
                + START_TIMEOUT
                + "; is the broker at bootstrap.servers="
                + connection.kafka().get("bootstrap.servers")
                + " reachable?",
            e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while creating reply topic '" + replyTopic + "'", e);
    }
  }

  /** The topic this client reads its replies from, set as {@code reply_to} on every request. */
  public String replyTopic() {
    return replyTopic;
  }

  /** The options this client was built with. */
  public ClientOptions options() {
    return options;
  }

  /** Requests sent and not yet answered, timed out or failed. */
  public int inFlight() {
    return pending.size();
  }

  /**
   * With {@link ClientOptions.ReplyStart#BEGINNING}: waits until every reply that was on the reply
   * topic when the client started has been handed to {@link ClientOptions#unmatchedReplies()}.
   * Returns at once otherwise.
   *
   * @return false when the timeout passed first
   */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    try {
      reader.caughtUp().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * Submits with the default {@link ClientOptions#requestTimeout()}; see {@link
   * #submit(RouteRequest, Duration)}.
   */
  public CompletableFuture<RouteReply> submit(RouteRequest request) {
    return submit(request, options.requestTimeout());
  }

  /**
   * Publishes a request with {@code reply_to} set to this client's reply topic. Blocks while {@link
   * ClientOptions#maxInFlight()} requests await their reply.
   *
   * @return completes with the reply; exceptionally with a {@link TimeoutException} naming the id
   *     when none arrives within {@code timeout}, with the send error when the request could not be
   *     published, with an {@link IllegalStateException} when the client is closed first
   * @throws IllegalArgumentException when a request with the same id is already in flight
   * @throws IllegalStateException when the client is closed
   */
  public CompletableFuture<RouteReply> submit(RouteRequest request, Duration timeout) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(timeout, "timeout");
    ensureOpen();
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(e);
    }
    if (closed) {
      permits.release();
      ensureOpen();
    }
    String id = request.id();
    Pending p = new Pending(id, new CompletableFuture<>());
    if (pending.putIfAbsent(id, p) != null) {
      permits.release();
      throw new IllegalArgumentException(
          "request id '" + id + "' is already in flight; ids must be unique");
    }
    p.timeout =
        timer.schedule(
            () ->
                fail(
                    p,
                    new TimeoutException(
                        "no reply to request '"
                            + id
                            + "' within "
                            + timeout
                            + " on reply topic '"
                            + replyTopic
                            + "'")),
            timeout.toMillis(),
            TimeUnit.MILLISECONDS);
    RouteRequest addressed = request.withReplyTo(replyTopic);
    try {
      producer.send(
          new ProducerRecord<>(requests.name(), id, addressed),
          (metadata, error) -> {
            if (error != null) {
              fail(
                  p,
                  new IllegalStateException(
                      "cannot send request '"
                          + id
                          + "' to topic '"
                          + requests.name()
                          + "': "
                          + error.getMessage(),
                      error));
            }
          });
    } catch (RuntimeException e) {
      fail(
          p,
          new IllegalStateException(
              "cannot send request '"
                  + id
                  + "' to topic '"
                  + requests.name()
                  + "': "
                  + e.getMessage(),
              e));
    }
    return p.future;
  }

  /**
   * Submits every request of the stream, at most {@link ClientOptions#maxInFlight()} awaiting a
   * reply at once, and returns when each has been answered or has failed. See {@link
   * #submitAll(Iterator, Consumer)}.
   */
  public SubmitAllResult submitAll(Stream<RouteRequest> requests, Consumer<RouteReply> onReply)
      throws InterruptedException {
    return submitAll(requests.iterator(), onReply);
  }

  /**
   * Submits every request of the iterator, pulled on the calling thread only when there is room in
   * flight (a lazy iterator keeps memory flat), those of class default as {@link
   * ClientOptions#submitAllPriority} (batch), and returns when each is answered or has failed.
   *
   * @param onReply receives each reply, on the reply thread, as it arrives
   * @return counts, and every request without a handled reply with the reason
   * @throws IllegalArgumentException when two requests in flight share an id (requests already sent
   *     still complete on their own)
   * @throws IllegalStateException when the client is closed meanwhile
   */
  public SubmitAllResult submitAll(Iterator<RouteRequest> requests, Consumer<RouteReply> onReply)
      throws InterruptedException {
    Objects.requireNonNull(onReply, "onReply");
    Object lock = new Object();
    long[] counts = new long[3];
    List<SubmitAllResult.Failure> failures = new ArrayList<>();
    while (requests.hasNext()) {
      RouteRequest request = options.forSubmitAll(requests.next());
      synchronized (lock) {
        counts[0]++;
        counts[2]++;
      }
      CompletableFuture<RouteReply> future;
      try {
        future = submit(request);
      } catch (RuntimeException e) {
        synchronized (lock) {
          counts[0]--;
          counts[2]--;
        }
        throw e;
      }
      future.whenComplete(
          (reply, error) -> {
            Throwable failure = error;
            if (reply != null) {
              try {
                onReply.accept(reply);
              } catch (RuntimeException e) {
                failure = e;
              }
            }
            synchronized (lock) {
              if (failure == null) {
                counts[1]++;
              } else {
                failures.add(new SubmitAllResult.Failure(request.id(), failure));
              }
              counts[2]--;
              lock.notifyAll();
            }
          });
      if (Thread.interrupted()) {
        throw new InterruptedException(
            "submitAll was interrupted after " + counts[0] + " requests");
      }
    }
    synchronized (lock) {
      while (counts[2] > 0) {
        lock.wait();
      }
      return new SubmitAllResult(counts[0], counts[1], failures);
    }
  }

  private void onReply(RouteReply reply) {
    Pending p = pending.remove(reply.id());
    if (p == null) {
      Consumer<RouteReply> unmatched = options.unmatchedReplies();
      if (unmatched != null) {
        unmatched.accept(reply);
      }
      return;
    }
    finish(p);
    p.future.complete(reply);
  }

  private void fail(Pending p, Throwable error) {
    if (pending.remove(p.id, p)) {
      finish(p);
      p.future.completeExceptionally(error);
    }
  }

  private void finish(Pending p) {
    ScheduledFuture<?> t = p.timeout;
    if (t != null) {
      t.cancel(false);
    }
    permits.release();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the client is closed");
    }
  }

  /**
   * Stops the client without waiting for replies: every pending future completes exceptionally with
   * an {@link IllegalStateException}, buffered requests are flushed, the reply reader stops.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    permits.release(Integer.MAX_VALUE / 2);
    try {
      producer.close(Duration.ofSeconds(10));
    } finally {
      reader.close();
      timer.shutdownNow();
      for (Pending p : List.copyOf(pending.values())) {
        fail(
            p,
            new IllegalStateException(
                "the client was closed before a reply to request '" + p.id + "' arrived"));
      }
    }
  }

  private static final class Pending {
    final String id;
    final CompletableFuture<RouteReply> future;
    volatile ScheduledFuture<?> timeout;

    Pending(String id, CompletableFuture<RouteReply> future) {
      this.id = id;
      this.future = future;
    }
  }
}
