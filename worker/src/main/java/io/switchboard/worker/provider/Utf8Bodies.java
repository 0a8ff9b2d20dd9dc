package io.switchboard.worker.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.core5.http.ContentType;

/** Answers read from their bytes, without decoding them to text first. */
final class Utf8Bodies {
  private Utf8Bodies() {}

  /**
   * A 2xx body parsed straight from its UTF-8 bytes, without decoding it to text first: null when
   * it is declared in another charset, is not JSON, or holds {@code key} (which the text path
   * redacts), so that the text path reads it as before.
   */
  static JsonNode parse(SimpleHttpResponse response, String key) {
    byte[] bytes = response.getBodyBytes();
    ContentType type = response.getContentType();
    if (bytes == null
        || bytes.length == 0
        || (type != null
            && type.getCharset() != null
            && !StandardCharsets.UTF_8.equals(type.getCharset()))
        || (key != null
            && !key.isEmpty()
            && contains(bytes, key.getBytes(StandardCharsets.UTF_8)))) {
      return null;
    }
    try {
      return Json.mapper().readTree(bytes);
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean contains(byte[] bytes, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= bytes.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
