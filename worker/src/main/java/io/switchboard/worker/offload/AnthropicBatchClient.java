package io.switchboard.worker.offload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.worker.provider.AnthropicClient;
import io.switchboard.worker.provider.AnthropicTranslation;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * Anthropic's Message Batches API: {@code POST {api_base}/messages/batches} with every request's
 * {@code custom_id} and {@code params} (the Messages body, translated), polled until its {@code
 * processing_status} is {@code ended}, its results read from {@code
 * /messages/batches/{id}/results}. The API keeps no metadata, so a batch cannot be found again by
 * the job id ({@link #find} is always empty).
 */
final class AnthropicBatchClient implements BatchClient {
  private final BatchHttp http;
  private final Clock clock;

  AnthropicBatchClient(BatchHttp http, Clock clock) {
    this.http = http;
    this.clock = clock;
  }

  @Override
  public ObjectNode inputLine(DeploymentConfig deployment, String customId, ObjectNode shapedBody) {
    ObjectNode line = Json.mapper().createObjectNode();
    line.put("custom_id", customId);
    line.set("params", AnthropicTranslation.toAnthropic(shapedBody));
    return line;
  }

  @Override
  public String submit(DeploymentConfig deployment, String jobId, Path input)
      throws BatchApiException {
    Path body = input.resolveSibling(input.getFileName() + ".requests.json");
    try {
      try (BufferedReader lines = Files.newBufferedReader(input, StandardCharsets.UTF_8);
          BufferedWriter out = Files.newBufferedWriter(body, StandardCharsets.UTF_8)) {
        out.write("{\"requests\":[");
        boolean first = true;
        for (String line; (line = lines.readLine()) != null; ) {
          if (!line.isBlank()) {
            out.write(first ? line : "," + line);
            first = false;
          }
        }
        out.write("]}");
      }
      JsonNode batch =
          http.json(
              deployment,
              "creating a message batch",
              http.request(deployment, base(deployment) + "/messages/batches")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofFile(body))
                  .build());
      String id = batch.path("id").asText(null);
      if (id == null || id.isBlank()) {
        throw new BatchApiException(
            "deployment '" + deployment.deploymentId() + "': the batch API answered no id", 502);
      }
      return id;
    } catch (IOException e) {
      throw new BatchApiException("writing the batch input " + body + ": " + e, null);
    } finally {
      try {
        Files.deleteIfExists(body);
      } catch (IOException ignored) {
        // a temporary file; the directory is cleaned when the job ends
      }
    }
  }

  @Override
  public Optional<String> find(DeploymentConfig deployment, String jobId) {
    return Optional.empty();
  }

  @Override
  public BatchStatus status(DeploymentConfig deployment, String batchId) throws BatchApiException {
    JsonNode batch =
        http.json(
            deployment,
            "reading message batch " + batchId,
            http.request(deployment, base(deployment) + "/messages/batches/" + encode(batchId))
                .GET()
                .build());
    String state = batch.path("processing_status").asText("unknown");
    return new BatchStatus(batchId, state.equals("ended"), state, null, null, null);
  }

  @Override
  public void results(DeploymentConfig deployment, BatchStatus status, Path out)
      throws BatchApiException {
    Path raw = out.resolveSibling(out.getFileName() + ".raw");
    try {
      http.download(
          deployment,
          "reading the results of message batch " + status.batchId(),
          http.request(
                  deployment,
                  base(deployment) + "/messages/batches/" + encode(status.batchId()) + "/results")
              .GET()
              .build(),
          raw);
      try (BufferedReader lines = Files.newBufferedReader(raw, StandardCharsets.UTF_8);
          BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        for (String text; (text = lines.readLine()) != null; ) {
          BatchResult result = text.isBlank() ? null : result(Json.mapper().readTree(text));
          if (result != null) {
            writer.write(result.toLine());
            writer.newLine();
          }
        }
      }
    } catch (IOException e) {
      throw new BatchApiException(
          "deployment '" + deployment.deploymentId() + "': writing batch results: " + e, null);
    } finally {
      try {
        Files.deleteIfExists(raw);
      } catch (IOException ignored) {
        // a temporary file; the directory is cleaned when the job ends
      }
    }
  }

  /** One result line; null for a request that expired or was cancelled (it was not run). */
  private BatchResult result(JsonNode line) {
    String customId = line.path("custom_id").asText();
    JsonNode result = line.path("result");
    switch (result.path("type").asText()) {
      case "succeeded" -> {
        ObjectNode completion =
            result.get("message") instanceof ObjectNode message
                ? AnthropicTranslation.toOpenAi(message, clock.instant())
                : null;
        return completion == null
            ? new BatchResult(customId, 502, error("the result has no message", "api_error"))
            : new BatchResult(customId, 200, completion);
      }
      case "errored" -> {
        JsonNode error = result.path("error");
        ObjectNode body = AnthropicTranslation.toOpenAiError(error);
        String type = error.path("error").path("type").asText("api_error");
        return new BatchResult(
            customId, status(type), body != null ? body : error("request failed", type));
      }
      default -> {
        return null;
      }
    }
  }

  /** The HTTP status Anthropic answers with each error type. */
  static int status(String type) {
    return switch (type) {
      case "invalid_request_error" -> 400;
      case "authentication_error" -> 401;
      case "permission_error" -> 403;
      case "not_found_error" -> 404;
      case "request_too_large" -> 413;
      case "rate_limit_error" -> 429;
      case "timeout_error" -> 504;
      case "overloaded_error" -> 529;
      default -> 500;
    };
  }

  private static ObjectNode error(String message, String type) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.putObject("error").put("message", message).put("type", type).putNull("code");
    return root;
  }

  private static String base(DeploymentConfig deployment) throws BatchApiException {
    return BatchHttp.base(deployment, AnthropicClient.DEFAULT_API_BASE);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
