package io.switchboard.worker.offload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.worker.provider.AzureOpenAiClient;
import io.switchboard.worker.provider.OpenAiClient;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * OpenAI's Batch API, and Azure OpenAI's global batch, which has the same shapes: the input goes up
 * as a JSONL file ({@code POST /files}, {@code purpose=batch}), a batch on the chat completions
 * endpoint with a 24 h window is created on it ({@code POST /batches}, with the job id in {@code
 * metadata.switchboard_job}), polled ({@code GET /batches/{id}}), and its output and error files
 * are read ({@code GET /files/{id}/content}). Azure's paths are under {@code {api_base}/openai}
 * with {@code api-version}; OpenAI's under {@code api_base} (default {@value
 * OpenAiClient#DEFAULT_API_BASE}).
 */
final class OpenAiBatchClient implements BatchClient {
  /** The metadata key holding the job id: how a batch is found again after a crash. */
  static final String JOB_METADATA = "switchboard_job";

  private static final int LIST_PAGES = 10;

  private final BatchHttp http;
  private final boolean azure;

  OpenAiBatchClient(BatchHttp http, boolean azure) {
    this.http = http;
    this.azure = azure;
  }

  @Override
  public ObjectNode inputLine(DeploymentConfig deployment, String customId, ObjectNode shapedBody) {
    ObjectNode line = Json.mapper().createObjectNode();
    line.put("custom_id", customId);
    line.put("method", "POST");
    line.put("url", endpoint());
    line.set("body", shapedBody);
    return line;
  }

  @Override
  public String submit(DeploymentConfig deployment, String jobId, Path input)
      throws BatchApiException {
    String fileId = upload(deployment, input);
    ObjectNode create = Json.mapper().createObjectNode();
    create.put("input_file_id", fileId);
    create.put("endpoint", endpoint());
    create.put("completion_window", "24h");
    create.putObject("metadata").put(JOB_METADATA, jobId);
    JsonNode batch =
        http.json(
            deployment,
            "creating a batch",
            http.request(deployment, url(deployment, "/batches"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(create.toString()))
                .build());
    return text(deployment, batch, "id");
  }

  @Override
  public Optional<String> find(DeploymentConfig deployment, String jobId) throws BatchApiException {
    String after = null;
    for (int page = 0; page < LIST_PAGES; page++) {
      JsonNode list =
          http.json(
              deployment,
              "listing batches",
              http.request(
                      deployment,
                      url(deployment, "/batches")
                          + (azure ? "&" : "?")
                          + "limit=100"
                          + (after == null ? "" : "&after=" + encode(after)))
                  .GET()
                  .build());
      for (JsonNode batch : list.path("data")) {
        if (jobId.equals(batch.path("metadata").path(JOB_METADATA).asText(null))) {
          return Optional.of(batch.path("id").asText());
        }
        after = batch.path("id").asText();
      }
      if (!list.path("has_more").asBoolean(false) || after == null) {
        break;
      }
    }
    return Optional.empty();
  }

  @Override
  public BatchStatus status(DeploymentConfig deployment, String batchId) throws BatchApiException {
    JsonNode batch =
        http.json(
            deployment,
            "reading batch " + batchId,
            http.request(deployment, url(deployment, "/batches/" + encode(batchId))).GET().build());
    String state = batch.path("status").asText("unknown");
    boolean ended =
        switch (state) {
          case "completed", "expired", "cancelled", "failed" -> true;
          default -> false;
        };
    JsonNode errors = batch.path("errors").path("data");
    String detail =
        errors.isArray() && !errors.isEmpty() ? errors.get(0).path("message").asText(null) : null;
    return new BatchStatus(
        batchId,
        ended,
        state,
        batch.path("output_file_id").asText(null),
        batch.path("error_file_id").asText(null),
        detail);
  }

  @Override
  public void results(DeploymentConfig deployment, BatchStatus status, Path out)
      throws BatchApiException {
    try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (String fileId : new String[] {status.outputFileId(), status.errorFileId()}) {
        if (fileId == null) {
          continue;
        }
        Path file = Files.createTempFile(out.getParent(), "batch-file", ".jsonl");
        try {
          http.download(
              deployment,
              "reading file " + fileId,
              http.request(deployment, url(deployment, "/files/" + encode(fileId) + "/content"))
                  .GET()
                  .build(),
              file);
          convert(file, writer);
        } finally {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      throw new BatchApiException(
          "deployment '" + deployment.deploymentId() + "': writing batch results: " + e, null);
    }
  }

  /** Output and error file lines into results; expired and cancelled requests have none. */
  private static void convert(Path file, BufferedWriter writer) throws IOException {
    try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String text; (text = lines.readLine()) != null; ) {
        if (text.isBlank()) {
          continue;
        }
        JsonNode line = Json.mapper().readTree(text);
        String customId = line.path("custom_id").asText();
        JsonNode response = line.get("response");
        BatchResult result;
        if (response != null && response.isObject()) {
          int code = response.path("status_code").asInt(500);
          JsonNode body = response.get("body");
          result = new BatchResult(customId, code, objectOrError(body, code));
        } else {
          String code = line.path("error").path("code").asText("");
          if (code.equals("batch_expired") || code.equals("batch_cancelled")) {
            continue;
          }
          result = new BatchResult(customId, 400, error(line.path("error")));
        }
        writer.write(result.toLine());
        writer.newLine();
      }
    }
  }

  private static ObjectNode objectOrError(JsonNode body, int status) {
    if (body instanceof ObjectNode object && (status / 100 == 2 || object.has("error"))) {
      return object;
    }
    return error(Json.mapper().createObjectNode().put("message", "HTTP " + status));
  }

  private static ObjectNode error(JsonNode error) {
    ObjectNode root = Json.mapper().createObjectNode();
    root.putObject("error")
        .put("message", error.path("message").asText("batch request failed"))
        .put("type", "invalid_request_error")
        .put("code", error.path("code").asText(null));
    return root;
  }

  private String upload(DeploymentConfig deployment, Path input) throws BatchApiException {
    String boundary = "switchboard-" + UUID.randomUUID();
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"requests.jsonl\""
                + "\r\nContent-Type: application/jsonl\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    HttpRequest.BodyPublisher file;
    try {
      file = HttpRequest.BodyPublishers.ofFile(input);
    } catch (IOException e) {
      throw new BatchApiException("reading the batch input " + input + ": " + e, null);
    }
    JsonNode uploaded =
        http.json(
            deployment,
            "uploading the batch input",
            http.request(deployment, url(deployment, "/files"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(
                    HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head),
                        file,
                        HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build());
    return text(deployment, uploaded, "id");
  }

  private String endpoint() {
    return azure ? "/chat/completions" : "/v1/chat/completions";
  }

  private String url(DeploymentConfig deployment, String path) throws BatchApiException {
    if (!azure) {
      return BatchHttp.base(deployment, OpenAiClient.DEFAULT_API_BASE) + path;
    }
    String version =
        deployment.apiVersion() == null || deployment.apiVersion().isBlank()
            ? AzureOpenAiClient.DEFAULT_API_VERSION
            : deployment.apiVersion();
    return BatchHttp.base(deployment, null) + "/openai" + path + "?api-version=" + encode(version);
  }

  private static String text(DeploymentConfig deployment, JsonNode node, String field)
      throws BatchApiException {
    String value = node.path(field).asText(null);
    if (value == null || value.isBlank()) {
      throw new BatchApiException(
          "deployment '" + deployment.deploymentId() + "': the batch API answered no " + field,
          502);
    }
    return value;
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
