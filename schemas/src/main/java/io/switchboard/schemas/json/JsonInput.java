package io.switchboard.schemas.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.json.JsonInputException.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Reads JSON that comes from outside the system (request records) strictly and within {@link
 * JsonLimits}: UTF-8 only (no UTF-16 or UTF-32 guessed from NUL bytes, no overlong forms, no
 * encoded surrogates; a leading byte-order mark is skipped), no NUL byte, one value and nothing
 * after it, no field twice in an object, and every number within the range of a 64-bit float. Every
 * refusal is a {@link JsonInputException} naming the problem and where it is. Thread-safe.
 *
 * <p>Values read here are later written by {@link Json#mapper()}, which reads what it wrote with
 * Jackson's default limits: these limits are well inside them.
 */
public final class JsonInput {
  private static final JsonInput REQUESTS = new JsonInput(JsonLimits.REQUESTS);
  private static final char BYTE_ORDER_MARK = '\uFEFF';

  private final JsonLimits limits;
  private final JsonFactory factory;

  public JsonInput(JsonLimits limits) {
    this.limits = limits;
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(limits.maxDepth())
                    .maxNumberLength(limits.maxNumberLength())
                    .maxNameLength(limits.maxNameLength())
                    .maxStringLength(limits.maxStringLength())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
  }

  /** The reader for request records, with {@link JsonLimits#REQUESTS}. */
  public static JsonInput requests() {
    return REQUESTS;
  }

  public JsonLimits limits() {
    return limits;
  }

  /**
   * The one JSON value of {@code value}.
   *
   * @return the value, or null when the record holds none (it is empty or only whitespace)
   * @throws JsonInputException when the record is not JSON this reader accepts
   */
  public JsonNode readTree(byte[] value) throws JsonInputException {
    Text text = Text.decode(value);
    if (text.problem() != null) {
      throw text.problem();
    }
    try (JsonParser parser =
        factory.createParser(text.chars(), text.start(), text.end() - text.start())) {
      JsonNode tree = read(parser);
      if (tree != null) {
        requireNothingAfter(parser);
        requireFiniteNumbers(tree);
      }
      return tree;
    } catch (IOException e) {
      // A parser over a char array does no I/O of its own; read() has turned every parse error into
      // a problem.
      throw new JsonInputException(Problem.SYNTAX, "record is not valid JSON: " + e.getMessage());
    }
  }

  /**
   * The longest prefix of {@code value} that is UTF-8 text without a NUL byte (a leading byte-order
   * mark dropped): what can still be read of a record that {@link #readTree} refuses.
   */
  public static String readablePrefix(byte[] value) {
    Text text = Text.decode(value);
    return new String(text.chars(), text.start(), text.end() - text.start());
  }

  private JsonNode read(JsonParser parser) throws JsonInputException {
    try {
      return Json.mapper().readTree(parser);
    } catch (StreamConstraintsException e) {
      throw beyondLimit(e, parser);
    } catch (JsonProcessingException e) {
      if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field ")) {
        throw new JsonInputException(
            Problem.DUPLICATE_FIELD,
            "field " + pointer(parser) + " appears twice in its object; a field may be given once");
      }
      throw new JsonInputException(
          Problem.SYNTAX,
          "record is not valid JSON: "
              + e.getOriginalMessage()
              + " "
              + where(e.getLocation() != null ? e.getLocation() : parser.currentLocation()));
    } catch (IOException e) {
      throw new JsonInputException(Problem.SYNTAX, "record is not valid JSON: " + e.getMessage());
    }
  }

  /**
   * Jackson names the limit only in its message, each in its own wording (JsonInputTest pins them).
   */
  private JsonInputException beyondLimit(StreamConstraintsException e, JsonParser parser) {
    String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    String at = pointer(parser);
    if (message.contains("nesting depth")) {
      return new JsonInputException(
          Problem.TOO_DEEP,
          "record nests arrays and objects deeper than "
              + limits.maxDepth()
              + " levels "
              + where(parser.currentLocation()));
    } else if (message.startsWith("Number value length")) {
      return new JsonInputException(
          Problem.NUMBER_TOO_LONG,
          "number at " + at + " has more than " + limits.maxNumberLength() + " digits");
    } else if (message.startsWith("Name length")) {
      // The object's context still holds the name before the long one: the object is where its
      // parent points.
      JsonStreamContext object = parser.getParsingContext();
      String in = object.getParent() == null ? "" : object.getParent().pathAsPointer().toString();
      return new JsonInputException(
          Problem.NAME_TOO_LONG,
          "a field name in "
              + (in.isEmpty() ? "the top level" : in)
              + " is longer than "
              + limits.maxNameLength()
              + " characters");
    } else if (message.startsWith("String value length")) {
      return new JsonInputException(
          Problem.STRING_TOO_LONG,
          "string at " + at + " is longer than " + limits.maxStringLength() + " characters");
    }
    return new JsonInputException(
        Problem.SYNTAX,
        "record is beyond a reading limit: " + message + " " + where(parser.currentLocation()));
  }

  private static void requireNothingAfter(JsonParser parser) throws JsonInputException {
    JsonLocation end = parser.currentLocation();
    boolean more;
    try {
      more = parser.nextToken() != null;
    } catch (IOException e) {
      more = true;
    }
    if (more) {
      throw new JsonInputException(
          Problem.TRAILING_CONTENT,
          "record has more after its JSON value, which ends " + where(end));
    }
  }

  private static void requireFiniteNumbers(JsonNode tree) throws JsonInputException {
    Deque<String> path = new ArrayDeque<>();
    if (!finite(tree, path)) {
      String at = path.isEmpty() ? "the top level" : "/" + String.join("/", path);
      throw new JsonInputException(
          Problem.NUMBER_OUT_OF_RANGE,
          "number at " + at + " is beyond the range of a 64-bit floating point number");
    }
  }

  /**
   * Whether every number in {@code node} is finite; if not, {@code path} holds the first one's
   * pointer.
   */
  private static boolean finite(JsonNode node, Deque<String> path) {
    if (node.isDouble() || node.isFloat()) {
      return Double.isFinite(node.doubleValue());
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        if (!finite(field.getValue(), path)) {
          path.addFirst(field.getKey().replace("~", "~0").replace("/", "~1"));
          return false;
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        if (!finite(node.get(i), path)) {
          path.addFirst(Integer.toString(i));
          return false;
        }
      }
    }
    return true;
  }

  private static String pointer(JsonParser parser) {
    String pointer = parser.getParsingContext().pathAsPointer().toString();
    return pointer.isEmpty() ? "the top level" : pointer;
  }

  private static String where(JsonLocation location) {
    return "at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /**
   * The decoded text of a record, {@code chars[start, end)}: all of it, or the part before the
   * first invalid byte or NUL, which {@code problem} then names.
   */
  private record Text(char[] chars, int start, int end, JsonInputException problem) {
    static Text decode(byte[] value) {
      int nul = 0;
      while (nul < value.length && value[nul] != 0) {
        nul++;
      }
      ByteBuffer in = ByteBuffer.wrap(value, 0, nul);
      // A UTF-8 sequence of n bytes decodes to at most n chars: the buffer never overflows.
      CharBuffer out = CharBuffer.allocate(nul);
      CoderResult result = StandardCharsets.UTF_8.newDecoder().decode(in, out, true);
      int start = out.position() > 0 && out.get(0) == BYTE_ORDER_MARK ? 1 : 0;
      JsonInputException problem = null;
      if (result.isError()) {
        problem =
            new JsonInputException(
                Problem.INVALID_UTF8,
                String.format(
                    "record is not valid UTF-8 from offset %d (byte 0x%02X); JSON text must be UTF-8",
                    in.position(), value[in.position()] & 0xff));
      } else if (nul < value.length) {
        problem =
            new JsonInputException(
                Problem.NUL_BYTE,
                "record has a NUL byte at offset "
                    + nul
                    + "; JSON text is UTF-8 and never holds one (a NUL may be written \\u0000 inside a string)");
      }
      return new Text(out.array(), start, out.position(), problem);
    }
  }
}
