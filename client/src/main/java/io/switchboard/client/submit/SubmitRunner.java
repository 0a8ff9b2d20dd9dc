package io.switchboard.client.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.ClientOptions;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.InvalidOptionException;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Sends one request described by {@link SubmitOptions} and waits for its reply (the engine of
 * {@code switchboard submit}). A request that cannot be built from the options throws an {@link
 * InvalidOptionException} naming the option, before anything is sent.
 */
public final class SubmitRunner {
  private SubmitRunner() {}

  /**
   * Builds the request, submits it and returns its reply, whatever its status.
   *
   * @throws InvalidOptionException the options describe no request; nothing was sent
   * @throws ExecutionException the request failed; its cause is a {@link TimeoutException} naming
   *     the request when no reply came within {@link SubmitOptions#timeout()}
   */
  public static RouteReply submit(ConnectionSettings connection, SubmitOptions options)
      throws InterruptedException, ExecutionException {
    RouteRequest request = request(options);
    ClientOptions.Builder client =
        ClientOptions.builder().requestTimeout(options.timeout()).maxInFlight(1);
    if (options.clientId() != null) {
      client.clientId(options.clientId());
    }
    ClientOptions clientOptions = client.build();
    try (SwitchboardClient c = SwitchboardClient.create(connection, clientOptions)) {
      return c.submit(request).get();
    }
  }

  /** The request the options describe. */
  static RouteRequest request(SubmitOptions o) {
    String id = "submit-" + UUID.randomUUID();
    RouteRequest request;
    if (o.prompt() != null) {
      if (o.prompt().isBlank()) {
        throw new InvalidOptionException("prompt", "the prompt is empty");
      }
      ObjectNode body = Json.mapper().createObjectNode();
      body.putArray("messages").addObject().put("role", "user").put("content", o.prompt());
      request = RouteRequest.of(id, null, body);
    } else {
      request = fromFile(o, id);
    }
    if (o.model() != null || o.group() != null) {
      request =
          new RouteRequest(
              request.id(),
              o.model(),
              o.group(),
              null,
              request.fallbacks(),
              request.contextWindowFallbacks(),
              request.numRetries(),
              request.timeoutMs(),
              request.deadline(),
              null,
              request.metadata(),
              request.priority(),
              request.body());
    }
    if (o.priority() != null) {
      request = request.withPriority(o.priority());
    }
    boolean routed =
        request.model() != null
            || request.loadBalanceGroup() != null
            || request.loadBalancer() != null
            || request.body().path("model").isTextual();
    if (!routed) {
      throw new InvalidOptionException(
          "model", "no model: give a model or a group, or set model in the request");
    }
    return request;
  }

  private static RouteRequest fromFile(SubmitOptions o, String id) {
    JsonNode node;
    try {
      node = Json.mapper().readTree(Files.readString(o.file()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidOptionException(
          "file", o.file() + ": not valid JSON: " + e.getOriginalMessage());
    } catch (NoSuchFileException e) {
      throw new InvalidOptionException("file", o.file() + ": no such file");
    } catch (IOException e) {
      throw new InvalidOptionException("file", o.file() + ": cannot read: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new InvalidOptionException("file", o.file() + ": must hold a JSON object");
    }
    ObjectNode object = (ObjectNode) node;
    if (object.has("body")) {
      if (!object.hasNonNull("id")) {
        object.put("id", id);
      }
      try {
        return Json.mapper().treeToValue(object, RouteRequest.class);
      } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
        throw new InvalidOptionException(
            "file",
            o.file() + ": not a valid request: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    JsonNode messages = object.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new InvalidOptionException(
          "file", o.file() + ": needs \"messages\" (a chat body) or \"body\" (a whole request)");
    }
    return RouteRequest.of(id, null, object);
  }
}
