package io.switchboard.testkit.mock;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpRequest;

/** A {@code multipart/form-data} body: its fields and files by name. Enough for file uploads. */
final class Multipart {
  private final Map<String, byte[]> parts = new HashMap<>();
  private final Map<String, String> fileNames = new HashMap<>();

  private Multipart() {}

  /** The parts of {@code body}; none when it is not multipart. */
  static Multipart parse(HttpRequest request, byte[] body, int length) {
    Multipart form = new Multipart();
    Header type = request.getFirstHeader("Content-Type");
    String boundary = null;
    if (type != null) {
      for (String param : type.getValue().split(";")) {
        String p = param.trim();
        if (p.startsWith("boundary=")) {
          boundary = p.substring("boundary=".length()).replace("\"", "");
        }
      }
    }
    if (boundary == null) {
      return form;
    }
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    int at = indexOf(body, length, delimiter, 0);
    while (at >= 0) {
      int start = at + delimiter.length;
      if (start + 1 < length && body[start] == '-' && body[start + 1] == '-') {
        break;
      }
      int headersEnd = indexOf(body, length, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), start);
      int next = indexOf(body, length, delimiter, start);
      if (headersEnd < 0 || next < 0) {
        break;
      }
      String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
      int contentEnd = next - 2; // the CRLF before the delimiter
      byte[] content =
          Arrays.copyOfRange(body, headersEnd + 4, Math.max(headersEnd + 4, contentEnd));
      String name = param(headers, "name");
      if (name != null) {
        form.parts.put(name, content);
        String fileName = param(headers, "filename");
        if (fileName != null) {
          form.fileNames.put(name, fileName);
        }
      }
      at = next;
    }
    return form;
  }

  String field(String name) {
    byte[] value = parts.get(name);
    return value == null ? null : new String(value, StandardCharsets.UTF_8).trim();
  }

  byte[] file(String name) {
    return fileNames.containsKey(name) ? parts.get(name) : null;
  }

  String fileName(String name) {
    return fileNames.get(name);
  }

  private static String param(String headers, String name) {
    String key = " " + name + "=\"";
    int i = headers.indexOf(key);
    if (i < 0) {
      key = ";" + name + "=\"";
      i = headers.indexOf(key);
    }
    if (i < 0) {
      return null;
    }
    int end = headers.indexOf('"', i + key.length());
    return end < 0 ? null : headers.substring(i + key.length(), end);
  }

  private static int indexOf(byte[] data, int length, byte[] what, int from) {
    outer:
    for (int i = Math.max(0, from); i <= length - what.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (data[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
