package io.switchboard.sandbox.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The bench's request record, encoded once: each request's bytes are the template's with its id and
 * send time put in, instead of a {@link RouteRequest} written out by the mapping for every request
 * (the load generator shares the cores with what it measures). The template is written by the
 * mapping, so the bytes are those {@code Json.toBytes} gives for the same request.
 */
final class RequestTemplate {
  private static final String ID = "@bench-id@";
  private static final String SENT = "@bench-sent@";

  private final byte[] beforeFirst;
  private final byte[] between;
  private final byte[] afterSecond;
  private final boolean idFirst;

  /**
   * @param sentAtKey the metadata key of the send time
   */
  RequestTemplate(String model, ObjectNode body, String sentAtKey) {
    byte[] template =
        Json.toBytes(
            new RouteRequest(
                ID,
                model,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                Map.of(sentAtKey, SENT),
                null,
                body));
    int id = indexOf(template, ID);
    int sent = indexOf(template, SENT);
    idFirst = id < sent;
    int first = Math.min(id, sent);
    int second = Math.max(id, sent);
    int firstEnd = first + (idFirst ? ID : SENT).length();
    beforeFirst = Arrays.copyOfRange(template, 0, first);
    between = Arrays.copyOfRange(template, firstEnd, second);
    afterSecond =
        Arrays.copyOfRange(template, second + (idFirst ? SENT : ID).length(), template.length);
  }

  /**
   * The request {@code id} sent at {@code sentAt}. Both go in as they are: the bench's ids and
   * times are letters, digits and dashes, which JSON strings hold without escapes.
   */
  byte[] encode(String id, String sentAt) {
    plain(id);
    plain(sentAt);
    byte[] first = (idFirst ? id : sentAt).getBytes(StandardCharsets.US_ASCII);
    byte[] second = (idFirst ? sentAt : id).getBytes(StandardCharsets.US_ASCII);
    byte[] out =
        new byte
            [beforeFirst.length
                + first.length
                + between.length
                + second.length
                + afterSecond.length];
    int at = 0;
    for (byte[] part : new byte[][] {beforeFirst, first, between, second, afterSecond}) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  private static void plain(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-') {
        throw new IllegalArgumentException(
            "'" + value + "' needs escaping in JSON; the template cannot hold it");
      }
    }
  }

  private static int indexOf(byte[] bytes, String marker) {
    byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + m.length <= bytes.length; i++) {
      for (int j = 0; j < m.length; j++) {
        if (bytes[i + j] != m[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("the request template has no " + marker);
  }
}
