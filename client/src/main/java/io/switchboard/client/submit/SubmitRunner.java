package io.switchboard.client.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.ClientOptions;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.SwitchboardClient;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code switchboard submit}: sends one request and prints its reply as pretty JSON. Exit codes:
 * {@link #EXIT_OK} for an ok reply, {@link #EXIT_ERROR} for an error or expired reply (or no reply
 * in time), {@link #EXIT_BAD_INPUT} when the request cannot be built.
 */
public final class SubmitRunner {
  public static final int EXIT_OK = 0;
  public static final int EXIT_ERROR = 1;
  public static final int EXIT_BAD_INPUT = 2;

  private SubmitRunner() {}

  /** Builds the request, submits it and prints the reply to {@code out}; problems go to {@code err}. */
  public static int run(ConnectionSettings connection, SubmitOptions options, PrintStream out, PrintStream err) {
    RouteRequest request;
    ClientOptions clientOptions;
    try {
      request = request(options);
      ClientOptions.Builder client = ClientOptions.builder().requestTimeout(options.timeout()).maxInFlight(1);
      if (options.clientId() != null) {
        client.clientId(options.clientId());
      }
      clientOptions = client.build();
    } catch (BadInputException | IllegalArgumentException e) {
      err.println("switchboard submit: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    try (SwitchboardClient c = SwitchboardClient.create(connection, clientOptions)) {
      RouteReply reply = c.submit(request).get();
      out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(reply));
      return reply.status() == ReplyStatus.OK ? EXIT_OK : EXIT_ERROR;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      err.println("switchboard submit: " + (cause instanceof TimeoutException ? "" : "failed: ") + cause.getMessage());
      return EXIT_ERROR;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("switchboard submit: interrupted before request '" + request.id() + "' was answered");
      return EXIT_ERROR;
    } catch (IOException | RuntimeException e) {
      err.println("switchboard submit: " + e.getMessage());
      return EXIT_ERROR;
    }
  }

  /** The request the options describe. */
  static RouteRequest request(SubmitOptions o) throws BadInputException {
    if (o.model() != null && o.group() != null) {
      throw new BadInputException("--model and --group are exclusive: give one of them");
    }
    if ((o.prompt() == null) == (o.file() == null)) {
      throw new BadInputException("give either a prompt or --file request.json (one of them)");
    }
    String id = "submit-" + UUID.randomUUID();
    RouteRequest request;
    if (o.prompt() != null) {
      if (o.prompt().isBlank()) {
        throw new BadInputException("the prompt is empty");
      }
      ObjectNode body = Json.mapper().createObjectNode();
      body.putArray("messages").addObject().put("role", "user").put("content", o.prompt());
      request = RouteRequest.of(id, null, body);
    } else {
      request = fromFile(o, id);
    }
    if (o.model() != null || o.group() != null) {
      request = new RouteRequest(request.id(), o.model(), o.group(), null, request.fallbacks(),
          request.contextWindowFallbacks(), request.numRetries(), request.timeoutMs(), request.deadline(), null,
          request.metadata(), request.body());
    }
    boolean routed = request.model() != null || request.loadBalanceGroup() != null || request.loadBalancer() != null
        || request.body().path("model").isTextual();
    if (!routed) {
      throw new BadInputException("no model: pass --model or --group, or set model in the request");
    }
    return request;
  }

  private static RouteRequest fromFile(SubmitOptions o, String id) throws BadInputException {
    JsonNode node;
    try {
      node = Json.mapper().readTree(Files.readString(o.file()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadInputException(o.file() + ": not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadInputException(o.file() + ": cannot read: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new BadInputException(o.file() + ": must hold a JSON object");
    }
    ObjectNode object = (ObjectNode) node;
    if (object.has("body")) {
      if (!object.hasNonNull("id")) {
        object.put("id", id);
      }
      try {
        return Json.mapper().treeToValue(object, RouteRequest.class);
      } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
        throw new BadInputException(o.file() + ": not a valid request: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    JsonNode messages = object.get("messages");
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new BadInputException(o.file() + ": needs \"messages\" (a chat body) or \"body\" (a whole request)");
    }
    return RouteRequest.of(id, null, object);
  }

  /** The request cannot be built from the options. */
  static final class BadInputException extends Exception {
    BadInputException(String message) {
      super(message, null, false, false);
    }
  }
}
