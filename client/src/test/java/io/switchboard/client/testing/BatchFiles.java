package io.switchboard.client.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.json.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/** Writes batch inputs and reads batch outputs. */
public final class BatchFiles {
  private BatchFiles() {}

  /** An OpenAI batch line. */
  public static String openAiLine(String customId, String prompt) {
    ObjectNode line = Json.mapper().createObjectNode();
    line.put("custom_id", customId);
    line.put("method", "POST");
    line.put("url", "/v1/chat/completions");
    ObjectNode body = line.putObject("body");
    body.put("model", "echo");
    body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    body.put("max_tokens", 16);
    return Json.toString(line);
  }

  /** Writes {@code n} lines made by {@code line}. */
  public static Path write(Path file, int n, IntFunction<String> line) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        w.write(line.apply(i));
        w.write('\n');
      }
    }
    return file;
  }

  public static List<JsonNode> read(Path file) throws IOException {
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
        .filter(l -> !l.isBlank())
        .map(Json::parse)
        .toList();
  }
}
