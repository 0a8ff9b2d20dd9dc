package io.switchboard.testkit.mock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.AsyncServerExchangeHandler;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.ResponseChannel;
import org.apache.hc.core5.http.nio.entity.AsyncEntityProducers;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * One HTTP exchange of the mock provider: reads the body without blocking, decides the answer from
 * the deployment's {@link Behavior}, and writes it at once or, after a latency, from the provider's
 * shared scheduler. Never blocks an I/O thread.
 */
final class MockExchange implements AsyncServerExchangeHandler {
  static final String REQUEST_ID_HEADER = "x-switchboard-request-id";
  private static final String PREFIX = "/d/";
  private static final byte[] GARBAGE =
      ("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad"
              + " Gateway</h1></center><hr><center>nginx</center></body></html>")
          .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HEALTH = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);

  private final MockProvider provider;
  private HttpRequest request;
  private ResponseChannel channel;
  private HttpContext context;
  private byte[] body = new byte[0];
  private int length;
  private boolean tooLarge;
  private long startNanos;
  private volatile AsyncEntityProducer entity;

  // Fields of the call log, known once the request is read.
  private Instant at;
  private String deployment = MockProvider.DEFAULT_DEPLOYMENT;
  private String api = Call.UNKNOWN;
  private String model;
  private boolean credentialPresent;
  private String requestId;

  /** The rate-limit headers a successful answer carries (the rpm window's state), if any. */
  private List<Header> limitHeaders = List.of();

  /** The usage of the completion answered (prompt plus completion tokens), 0 for anything else. */
  private int tokens;

  MockExchange(MockProvider provider) {
    this.provider = provider;
  }

  @Override
  public void handleRequest(
      HttpRequest request,
      EntityDetails entityDetails,
      ResponseChannel channel,
      HttpContext context)
      throws HttpException, IOException {
    this.startNanos = System.nanoTime();
    provider.countProtocol(request.getVersion());
    this.request = request;
    this.channel = channel;
    this.context = context;
    if (entityDetails == null) {
      answer();
      return;
    }
    long declared = entityDetails.getContentLength();
    if (declared > provider.maxBodyBytes()) {
      tooLarge = true;
    } else if (declared > 0) {
      body = new byte[(int) declared];
    }
  }

  @Override
  public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
    capacityChannel.update(Integer.MAX_VALUE);
  }

  @Override
  public void consume(ByteBuffer src) {
    int n = src.remaining();
    if (tooLarge || (long) length + n > provider.maxBodyBytes()) {
      tooLarge = true;
      src.position(src.limit());
      return;
    }
    if (length + n > body.length) {
      body = Arrays.copyOf(body, Math.max(length + n, Math.max(1024, body.length * 2)));
    }
    src.get(body, length, n);
    length += n;
  }

  @Override
  public void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
    answer();
  }

  @Override
  public int available() {
    AsyncEntityProducer e = entity;
    return e == null ? 0 : e.available();
  }

  @Override
  public void produce(DataStreamChannel channel) throws IOException {
    AsyncEntityProducer e = entity;
    if (e != null) {
      e.produce(channel);
    }
  }

  @Override
  public void failed(Exception cause) {
    AsyncEntityProducer e = entity;
    if (e != null) {
      e.failed(cause);
    }
  }

  @Override
  public void releaseResources() {
    AsyncEntityProducer e = entity;
    if (e != null) {
      e.releaseResources();
    }
  }

  private void answer() throws HttpException, IOException {
    at = provider.clock().instant();
    String uri = request.getPath();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String query = q < 0 ? "" : uri.substring(q + 1);
    if ("GET".equals(request.getMethod()) && "/health".equals(path)) {
      AsyncEntityProducer e = AsyncEntityProducers.create(HEALTH, ContentType.APPLICATION_JSON);
      entity = e;
      channel.sendResponse(new BasicHttpResponse(200), e, context);
      return;
    }
    String rest = path;
    if (path.startsWith(PREFIX)) {
      int slash = path.indexOf('/', PREFIX.length());
      if (slash > PREFIX.length()) {
        deployment = path.substring(PREFIX.length(), slash);
        rest = path.substring(slash);
      }
    }
    if (MockBatches.handles(rest)) {
      answerBatch(rest);
      return;
    }
    ProviderApi target = route(rest);
    if (target == null || !"POST".equals(request.getMethod())) {
      respond(404, ProviderApi.invalidUrl(request.getMethod(), path));
      return;
    }
    api = target.id;
    requestId = header(REQUEST_ID_HEADER);
    ChatBody chat = null;
    if (!tooLarge) {
      try {
        chat = ChatBody.parse(body, length);
        model = chat.model();
      } catch (IOException notJson) {
        chat = null;
      }
    }
    String azureDeployment = null;
    if (target == ProviderApi.AZURE) {
      azureDeployment =
          rest.substring(
              "/openai/deployments/".length(), rest.length() - "/chat/completions".length());
      if (model == null) {
        model = azureDeployment;
      }
    }
    String credential = target.credential(request);
    credentialPresent = credential != null;

    Behavior behavior = provider.behaviorOf(deployment);
    switch (behavior.fault()) {
      case RESET -> {
        provider.record(
            at, deployment, api, model, 0, elapsedMillis(), credentialPresent, requestId, 0);
        channel.terminateExchange();
        return;
      }
      case HANG -> {
        provider.record(at, deployment, api, model, 0, 0, credentialPresent, requestId, 0);
        return;
      }
      default -> {
        // the other faults are answered below, in their place in the order of checks
      }
    }
    String apiVersion = queryParam(query, "api-version");
    if (target == ProviderApi.AZURE && (apiVersion == null || apiVersion.isEmpty())) {
      respond(400, ProviderApi.missingApiVersion());
      return;
    }
    if (target == ProviderApi.ANTHROPIC && header("anthropic-version") == null) {
      respond(400, ProviderApi.missingAnthropicVersion());
      return;
    }
    if (behavior.requiredKey() != null) {
      if (credential == null) {
        respond(401, target.missingKey());
        return;
      }
      if (!MessageDigest.isEqual(
          credential.getBytes(StandardCharsets.UTF_8),
          behavior.requiredKey().getBytes(StandardCharsets.UTF_8))) {
        respond(401, target.wrongKey());
        return;
      }
    }
    if (behavior.fault() == Fault.STATUS) {
      respond(behavior.faultStatus(), target.statusError(behavior.faultStatus(), model));
      return;
    }
    if (tooLarge) {
      respond(413, target.statusError(413, model));
      return;
    }
    if (chat == null) {
      respond(400, target.notJson());
      return;
    }
    if (!chat.hasMessages()) {
      respond(400, target.missingField("messages"));
      return;
    }
    if (target == ProviderApi.ANTHROPIC && chat.maxTokens() < 0) {
      respond(400, target.missingField("max_tokens"));
      return;
    }
    DeploymentState state = provider.stateOf(deployment);
    if (behavior.rpm() > 0) {
      long wait = state.admit(behavior.rpm(), at.toEpochMilli());
      if (wait > 0) {
        rateLimited(target, behavior.rateLimitHeaders() ? behavior.rpm() : 0, wait, apiVersion);
        return;
      }
      if (behavior.rateLimitHeaders()) {
        limitHeaders = LimitHeaders.of(target, behavior.rpm(), state.window(at.toEpochMilli()), at);
      }
    }
    if ((behavior.rateLimitEvery() > 0 || behavior.rateLimitProbability() > 0)
        && state.rateLimited(behavior.rateLimitEvery(), behavior.rateLimitProbability())) {
      rateLimited(target, 0, behavior.retryAfter().toMillis(), apiVersion);
      return;
    }
    if (behavior.contextWindow() > 0 && chat.promptTokens() > behavior.contextWindow()) {
      respond(400, target.contextWindowExceeded(behavior.contextWindow(), chat.promptTokens()));
      return;
    }
    long latency = behavior.latency() == Latency.NONE ? 0 : state.latencyMillis(behavior.latency());
    boolean fail = state.draw(behavior.errorRate());
    String answeredModel = model == null ? "mock" : model;
    ChatBody request = chat;
    Runnable reply =
        () -> {
          if (fail) {
            respondQuietly(
                behavior.errorStatus(), target.statusError(behavior.errorStatus(), answeredModel));
          } else if (behavior.fault() == Fault.GARBAGE) {
            sendGarbageQuietly();
          } else {
            tokens = request.promptTokens() + ProviderApi.completionTokens(request);
            respondQuietly(200, target.completion(request, answeredModel, provider.nextId(), at));
          }
        };
    if (latency == 0) {
      reply.run();
    } else {
      provider.scheduler().schedule(reply, latency, TimeUnit.MILLISECONDS);
    }
  }

  /** A call of the batch APIs: answered at once, not in the call log. */
  private void answerBatch(String path) throws HttpException, IOException {
    ProviderApi api =
        path.startsWith("/v1/messages/")
            ? ProviderApi.ANTHROPIC
            : path.startsWith("/openai/") ? ProviderApi.AZURE : ProviderApi.OPENAI;
    String key = provider.behaviorOf(deployment).requiredKey();
    String credential = api.credential(request);
    MockBatches.Answer answer;
    if (key != null
        && (credential == null
            || !MessageDigest.isEqual(
                credential.getBytes(StandardCharsets.UTF_8),
                key.getBytes(StandardCharsets.UTF_8)))) {
      answer =
          new MockBatches.Answer(
              401, credential == null ? api.missingKey() : api.wrongKey(), "application/json");
    } else if (tooLarge) {
      answer = new MockBatches.Answer(413, api.statusError(413, null), "application/json");
    } else {
      answer = provider.batches().answer(deployment, request, path, body, length, at);
    }
    AsyncEntityProducer e =
        AsyncEntityProducers.create(answer.body(), ContentType.parse(answer.contentType()));
    entity = e;
    channel.sendResponse(new BasicHttpResponse(answer.status()), e, context);
  }

  private void rateLimited(ProviderApi target, int rpm, long waitMillis, String apiVersion)
      throws HttpException, IOException {
    BasicHttpResponse response = new BasicHttpResponse(429);
    for (Header h : target.rateLimitHeaders(rpm, waitMillis, at)) {
      response.addHeader(h);
    }
    write(
        response,
        target.rateLimited(model, rpm, waitMillis, apiVersion),
        ContentType.APPLICATION_JSON);
  }

  private static ProviderApi route(String path) {
    switch (path) {
      case "/v1/chat/completions":
        return ProviderApi.OPENAI;
      case "/v1/messages":
        return ProviderApi.ANTHROPIC;
      default:
        if (path.startsWith("/openai/deployments/")
            && path.endsWith("/chat/completions")
            && path.length() > "/openai/deployments//chat/completions".length()
            && path.indexOf('/', "/openai/deployments/".length())
                == path.length() - "/chat/completions".length()) {
          return ProviderApi.AZURE;
        }
        return null;
    }
  }

  private String header(String name) {
    Header h = request.getFirstHeader(name);
    return h == null ? null : h.getValue();
  }

  private static String queryParam(String query, String name) {
    int from = 0;
    while (from <= query.length()) {
      int amp = query.indexOf('&', from);
      int end = amp < 0 ? query.length() : amp;
      if (query.startsWith(name, from)
          && end > from + name.length()
          && query.charAt(from + name.length()) == '=') {
        return query.substring(from + name.length() + 1, end);
      }
      if (amp < 0) {
        return null;
      }
      from = amp + 1;
    }
    return null;
  }

  private long elapsedMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Answers with a JSON body and records the call. */
  private void respond(int status, byte[] json) throws HttpException, IOException {
    write(new BasicHttpResponse(status), json, ContentType.APPLICATION_JSON);
  }

  private void write(BasicHttpResponse response, byte[] body, ContentType type)
      throws HttpException, IOException {
    if (response.getCode() == 200) {
      limitHeaders.forEach(response::addHeader);
    }
    provider.record(
        at,
        deployment,
        api,
        model,
        response.getCode(),
        elapsedMillis(),
        credentialPresent,
        requestId,
        tokens);
    AsyncEntityProducer e = AsyncEntityProducers.create(body, type);
    entity = e;
    channel.sendResponse(response, e, context);
  }

  /** For answers written from the scheduler: the client may have gone meanwhile. */
  private void respondQuietly(int status, byte[] json) {
    try {
      respond(status, json);
    } catch (HttpException | IOException | RuntimeException clientGone) {
      // the connection closed while the answer waited: nothing left to answer
    }
  }

  /**
   * GARBAGE is labelled JSON, as a broken proxy would, so that a client must not trust the label.
   */
  private void sendGarbageQuietly() {
    try {
      write(new BasicHttpResponse(200), GARBAGE, ContentType.APPLICATION_JSON);
    } catch (HttpException | IOException | RuntimeException clientGone) {
      // the connection closed while the answer waited: nothing left to answer
    }
  }
}
