package io.switchboard.testkit.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.core5.http.HttpRequest;

/**
 * The mock's batch APIs, each also under {@code /d/{deployment}}:
 *
 * <ul>
 *   <li>OpenAI: {@code POST /v1/files} (multipart, {@code purpose=batch}), {@code GET
 *       /v1/files/{id}/content}, {@code POST /v1/batches}, {@code GET /v1/batches[/{id}]};
 *   <li>Azure OpenAI: the same under {@code /openai/files} and {@code /openai/batches};
 *   <li>Anthropic: {@code POST /v1/messages/batches}, {@code GET /v1/messages/batches[/{id}]},
 *       {@code GET /v1/messages/batches/{id}/results}.
 * </ul>
 *
 * Jobs end as their deployment's {@link BatchBehavior} says when they were created. Not in the call
 * log: {@link MockProvider#batchJobsCreated(String)} counts job creations instead.
 */
final class MockBatches {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** An answer to a batch API call. */
  record Answer(int status, byte[] body, String contentType) {
    static Answer json(int status, JsonNode node) {
      try {
        return new Answer(status, MAPPER.writeValueAsBytes(node), "application/json");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final List<BatchJob> jobs = new CopyOnWriteArrayList<>();
  private final Map<String, BatchBehavior> behaviors = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  void behave(String deployment, BatchBehavior behavior) {
    behaviors.put(deployment, behavior);
  }

  /** The jobs created for {@code deployment} (every deployment when null), oldest first. */
  List<BatchJob> jobs(String deployment) {
    return jobs.stream()
        .filter(j -> deployment == null || j.deployment.equals(deployment))
        .toList();
  }

  /** Whether {@code path} (without the deployment prefix) is one of the batch APIs' paths. */
  static boolean handles(String path) {
    return path.equals("/v1/files")
        || path.startsWith("/v1/files/")
        || path.equals("/v1/batches")
        || path.startsWith("/v1/batches/")
        || path.startsWith("/v1/messages/batches")
        || path.equals("/openai/files")
        || path.startsWith("/openai/files/")
        || path.equals("/openai/batches")
        || path.startsWith("/openai/batches/");
  }

  /** The answer to a call of a batch API path ({@link #handles}). */
  Answer answer(
      String deployment, HttpRequest request, String path, byte[] body, int length, Instant now) {
    String method = request.getMethod();
    boolean azure = path.startsWith("/openai/");
    ProviderApi api =
        path.startsWith("/v1/messages/")
            ? ProviderApi.ANTHROPIC
            : azure ? ProviderApi.AZURE : ProviderApi.OPENAI;
    String rest = azure ? path.substring("/openai".length()) : path.substring("/v1".length());
    if (api == ProviderApi.ANTHROPIC) {
      rest = rest.substring("/messages".length());
    }
    String[] parts = rest.substring(1).split("/");
    try {
      if (parts[0].equals("files")) {
        if (parts.length == 1 && method.equals("POST")) {
          return upload(request, body, length, now);
        }
        if (parts.length == 3 && parts[2].equals("content") && method.equals("GET")) {
          byte[] content = files.get(parts[1]);
          return content == null
              ? notFound(api, "file " + parts[1])
              : new Answer(200, content, "application/octet-stream");
        }
      } else if (parts[0].equals("batches")) {
        if (parts.length == 1 && method.equals("POST")) {
          return create(api, deployment, MAPPER.readTree(body, 0, length), now);
        }
        if (parts.length == 1 && method.equals("GET")) {
          return list(api, deployment, now);
        }
        BatchJob job = parts.length >= 2 ? find(parts[1]) : null;
        if (job == null) {
          return notFound(api, "batch " + (parts.length >= 2 ? parts[1] : ""));
        }
        if (parts.length == 2 && method.equals("GET")) {
          return Answer.json(200, view(job, now));
        }
        if (parts.length == 3 && parts[2].equals("results") && api == ProviderApi.ANTHROPIC) {
          job.finish(now, this::store);
          byte[] results = job.results();
          return results == null
              ? Answer.json(400, error(api, "batch " + job.id + " has not ended"))
              : new Answer(200, results, "application/binary");
        }
      }
    } catch (IOException | RuntimeException e) {
      return Answer.json(400, error(api, "invalid request: " + e.getMessage()));
    }
    return Answer.json(404, tree(ProviderApi.invalidUrl(method, path)));
  }

  private Answer upload(HttpRequest request, byte[] body, int length, Instant now) {
    Multipart form = Multipart.parse(request, body, length);
    if (!"batch".equals(form.field("purpose"))) {
      return Answer.json(400, error(ProviderApi.OPENAI, "purpose must be 'batch'"));
    }
    byte[] content = form.file("file");
    if (content == null) {
      return Answer.json(400, error(ProviderApi.OPENAI, "file is required"));
    }
    String id = store(content);
    ObjectNode file = MAPPER.createObjectNode();
    file.put("id", id);
    file.put("object", "file");
    file.put("bytes", content.length);
    file.put("created_at", now.getEpochSecond());
    file.put("filename", form.fileName("file"));
    file.put("purpose", "batch");
    return Answer.json(200, file);
  }

  private String store(byte[] content) {
    String id = "file-mock" + ids.incrementAndGet();
    files.put(id, content);
    return id;
  }

  private Answer create(ProviderApi api, String deployment, JsonNode params, Instant now)
      throws IOException {
    List<BatchJob.Request> requests = new ArrayList<>();
    String inputFileId = null;
    if (api == ProviderApi.ANTHROPIC) {
      for (JsonNode r : params.path("requests")) {
        requests.add(new BatchJob.Request(r.path("custom_id").asText(), r.path("params")));
      }
    } else {
      inputFileId = params.path("input_file_id").asText();
      byte[] input = files.get(inputFileId);
      if (input == null) {
        return notFound(api, "file " + inputFileId);
      }
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(new ByteArrayInputStream(input), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          if (!line.isBlank()) {
            JsonNode r = MAPPER.readTree(line);
            requests.add(new BatchJob.Request(r.path("custom_id").asText(), r.path("body")));
          }
        }
      }
    }
    if (requests.isEmpty()) {
      return Answer.json(400, error(api, "a batch needs at least one request"));
    }
    String prefix = api == ProviderApi.ANTHROPIC ? "msgbatch_mock" : "batch_mock";
    BatchJob job =
        new BatchJob(
            api,
            prefix + ids.incrementAndGet(),
            deployment,
            inputFileId,
            params.get("metadata"),
            requests,
            behaviors.getOrDefault(deployment, BatchBehavior.ok()),
            now);
    jobs.add(job);
    return Answer.json(200, view(job, now));
  }

  private Answer list(ProviderApi api, String deployment, Instant now) {
    ObjectNode page = MAPPER.createObjectNode();
    ArrayNode data = page.putArray("data");
    List<BatchJob> mine = jobs(deployment);
    for (int i = mine.size() - 1; i >= 0; i--) {
      if (mine.get(i).api == api) {
        data.add(view(mine.get(i), now));
      }
    }
    page.put("has_more", false);
    if (api != ProviderApi.ANTHROPIC) {
      page.put("object", "list");
    }
    return Answer.json(200, page);
  }

  private BatchJob find(String id) {
    return jobs.stream().filter(j -> j.id.equals(id)).findFirst().orElse(null);
  }

  private ObjectNode view(BatchJob job, Instant now) {
    job.finish(now, this::store);
    boolean ended = job.ended(now);
    ObjectNode v = MAPPER.createObjectNode();
    v.put("id", job.id);
    if (job.api == ProviderApi.ANTHROPIC) {
      v.put("type", "message_batch");
      v.put("processing_status", ended ? "ended" : "in_progress");
      ObjectNode counts = v.putObject("request_counts");
      counts.put("processing", ended ? 0 : job.size());
      counts.put("succeeded", job.succeeded());
      counts.put("errored", job.errored());
      counts.put("canceled", 0);
      counts.put("expired", job.expired());
      v.put("created_at", job.createdAt.toString());
      if (ended) {
        v.put("ended_at", job.endsAt.toString());
      } else {
        v.putNull("ended_at");
      }
      return v;
    }
    v.put("object", "batch");
    v.put("endpoint", "/v1/chat/completions");
    v.put("input_file_id", job.inputFileId);
    v.put("completion_window", "24h");
    v.put("created_at", job.createdAt.getEpochSecond());
    String status =
        !ended
            ? "in_progress"
            : job.failedAsWhole()
                ? "failed"
                : job.behavior.fault() == BatchBehavior.BatchFault.EXPIRED
                    ? "expired"
                    : "completed";
    v.put("status", status);
    v.put("output_file_id", job.outputFileId());
    v.put("error_file_id", job.errorFileId());
    if (job.failedAsWhole() && ended) {
      ObjectNode errors = v.putObject("errors");
      errors.put("object", "list");
      ObjectNode e = errors.putArray("data").addObject();
      e.put("code", "invalid_request");
      e.put("message", "The batch failed (mock fault).");
    }
    ObjectNode counts = v.putObject("request_counts");
    counts.put("total", job.size());
    counts.put("completed", job.succeeded());
    counts.put("failed", job.errored() + job.expired());
    v.set("metadata", job.metadata == null ? MAPPER.nullNode() : job.metadata);
    return v;
  }

  private static Answer notFound(ProviderApi api, String what) {
    return Answer.json(404, error(api, "No such " + what));
  }

  private static JsonNode error(ProviderApi api, String message) {
    ObjectNode root = MAPPER.createObjectNode();
    if (api == ProviderApi.ANTHROPIC) {
      root.put("type", "error");
    }
    ObjectNode error = root.putObject("error");
    error.put("type", "invalid_request_error");
    error.put("message", message);
    return root;
  }

  private static JsonNode tree(byte[] json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
