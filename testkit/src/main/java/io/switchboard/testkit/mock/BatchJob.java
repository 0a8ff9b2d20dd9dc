package io.switchboard.testkit.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * One batch job of the mock: its requests, when it ends and how (from its deployment's {@link
 * BatchBehavior} when it was created), and its results, made once when it is first seen ended.
 */
final class BatchJob {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * One request of the job: the caller's id and the chat body (OpenAI's, or Anthropic's params).
   */
  record Request(String customId, JsonNode body) {}

  /** What became of one request. */
  enum LineOutcome {
    SUCCEEDED,
    ERRORED,
    EXPIRED
  }

  final ProviderApi api;
  final String id;
  final String deployment;
  final String inputFileId;
  final JsonNode metadata;
  final Instant createdAt;
  final Instant endsAt;
  final BatchBehavior behavior;
  private final List<Request> requests;

  /** Set once the job is seen ended: OpenAI's output and error files, or Anthropic's results. */
  private String outputFileId;

  private String errorFileId;
  private byte[] results;
  private int succeeded;
  private int errored;
  private int expired;

  BatchJob(
      ProviderApi api,
      String id,
      String deployment,
      String inputFileId,
      JsonNode metadata,
      List<Request> requests,
      BatchBehavior behavior,
      Instant now) {
    this.api = api;
    this.id = id;
    this.deployment = deployment;
    this.inputFileId = inputFileId;
    this.metadata = metadata;
    this.requests = List.copyOf(requests);
    this.behavior = behavior;
    this.createdAt = now;
    this.endsAt = now.plus(behavior.processing());
  }

  int size() {
    return requests.size();
  }

  boolean ended(Instant now) {
    return !now.isBefore(endsAt);
  }

  /** Whether the job failed as a whole (OpenAI and Azure only: Anthropic errs every request). */
  boolean failedAsWhole() {
    return behavior.fault() == BatchBehavior.BatchFault.FAILED && api != ProviderApi.ANTHROPIC;
  }

  /**
   * Makes the results once the job has ended; {@code files} stores OpenAI's output and error files
   * and returns their ids.
   */
  synchronized void finish(Instant now, java.util.function.Function<byte[], String> files) {
    if (!ended(now) || results != null || outputFileId != null || failedAsWhole()) {
      return;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    for (int i = 0; i < requests.size(); i++) {
      Request r = requests.get(i);
      LineOutcome outcome = outcome(i);
      switch (outcome) {
        case SUCCEEDED -> succeeded++;
        case ERRORED -> errored++;
        case EXPIRED -> expired++;
      }
      if (api == ProviderApi.ANTHROPIC) {
        line(out, anthropicResult(r, outcome, i));
      } else if (outcome == LineOutcome.EXPIRED) {
        line(errors, openAiExpired(r, i));
      } else {
        line(out, openAiOutput(r, outcome, i));
      }
    }
    if (api == ProviderApi.ANTHROPIC) {
      results = out.toByteArray();
    } else {
      outputFileId = out.size() == 0 ? null : files.apply(out.toByteArray());
      errorFileId = errors.size() == 0 ? null : files.apply(errors.toByteArray());
    }
  }

  synchronized String outputFileId() {
    return outputFileId;
  }

  synchronized String errorFileId() {
    return errorFileId;
  }

  synchronized byte[] results() {
    return results;
  }

  synchronized int succeeded() {
    return succeeded;
  }

  synchronized int errored() {
    return errored;
  }

  synchronized int expired() {
    return expired;
  }

  private LineOutcome outcome(int index) {
    BatchBehavior b = behavior;
    if (b.fault() == BatchBehavior.BatchFault.FAILED) {
      return LineOutcome.ERRORED;
    }
    if (b.fault() == BatchBehavior.BatchFault.EXPIRED
        && index >= (int) Math.ceil(b.completedShare() * requests.size())) {
      return LineOutcome.EXPIRED;
    }
    if (b.lineErrorEvery() > 0 && (index + 1) % b.lineErrorEvery() == 0) {
      return LineOutcome.ERRORED;
    }
    return LineOutcome.SUCCEEDED;
  }

  private int errorStatus() {
    return behavior.fault() == BatchBehavior.BatchFault.FAILED ? 500 : behavior.lineErrorStatus();
  }

  private ObjectNode openAiOutput(Request r, LineOutcome outcome, int index) {
    ObjectNode line = MAPPER.createObjectNode();
    line.put("id", "batch_req_" + id + "_" + index);
    line.put("custom_id", r.customId());
    ObjectNode response = line.putObject("response");
    ChatBody chat = ChatBody.of(r.body());
    String model = chat.model() == null ? "mock" : chat.model();
    if (outcome == LineOutcome.SUCCEEDED) {
      response.put("status_code", 200);
      response.put("request_id", "req_" + index);
      response.set("body", tree(api.completion(chat, model, index, endsAt)));
    } else {
      response.put("status_code", errorStatus());
      response.put("request_id", "req_" + index);
      response.set("body", tree(api.statusError(errorStatus(), model)));
    }
    line.putNull("error");
    return line;
  }

  private ObjectNode openAiExpired(Request r, int index) {
    ObjectNode line = MAPPER.createObjectNode();
    line.put("id", "batch_req_" + id + "_" + index);
    line.put("custom_id", r.customId());
    line.putNull("response");
    ObjectNode error = line.putObject("error");
    error.put("code", "batch_expired");
    error.put(
        "message", "This request could not be executed before the completion window expired.");
    return line;
  }

  private ObjectNode anthropicResult(Request r, LineOutcome outcome, int index) {
    ObjectNode line = MAPPER.createObjectNode();
    line.put("custom_id", r.customId());
    ObjectNode result = line.putObject("result");
    ChatBody chat = ChatBody.of(r.body());
    String model = chat.model() == null ? "mock" : chat.model();
    switch (outcome) {
      case SUCCEEDED -> {
        result.put("type", "succeeded");
        result.set("message", tree(api.completion(chat, model, index, endsAt)));
      }
      case ERRORED -> {
        result.put("type", "errored");
        result.set("error", tree(api.statusError(errorStatus(), model)));
      }
      case EXPIRED -> result.put("type", "expired");
    }
    return line;
  }

  private static JsonNode tree(byte[] json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void line(ByteArrayOutputStream out, JsonNode node) {
    try {
      out.write(MAPPER.writeValueAsBytes(node));
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
