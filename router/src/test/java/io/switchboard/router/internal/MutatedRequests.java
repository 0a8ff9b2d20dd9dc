package io.switchboard.router.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.switchboard.schemas.json.JsonLimits;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A seeded source of request records: valid requests, and valid requests taken apart (byte flips,
 * cuts, insertions, deep nesting, long and out-of-range numbers, duplicate fields and ids, invalid
 * UTF-8, NUL bytes, other encodings, long strings and names, trailing content, wrong types at every
 * field). Each record says what was done to it and, where that is certain, the id a reader must
 * find and what its rejection must say. The same seed gives the same records.
 */
public final class MutatedRequests {
  /** What {@link Input#says()} holds when the record is still a valid request. */
  public static final String ROUTED = "(routed)";

  /**
   * One record.
   *
   * @param value the record value
   * @param mutation what was done to a valid request, e.g. {@code flip+truncate}
   * @param idKnown whether {@code id} is certain; when false the mutation may have hit the id
   * @param id when known: the id a reader must find, or null when it must find none
   * @param says when known: {@link #ROUTED}, or words the rejection's message holds ({@code |}
   *     between alternatives); null when the mutation leaves the outcome open
   */
  public record Input(byte[] value, String mutation, boolean idKnown, String id, String says) {}

  private static final ObjectMapper M = new ObjectMapper();

  /** The request limits the targeted mutations aim at (just within and just beyond). */
  private static final int DEPTH = JsonLimits.REQUESTS.maxDepth();

  private static final int NUMBER = JsonLimits.REQUESTS.maxNumberLength();
  private static final int NAME = JsonLimits.REQUESTS.maxNameLength();
  private static final int[][] INVALID_UTF8 = {
    {0xC0, 0x80},
    {0xC1, 0xBF},
    {0xE0, 0x80, 0x80},
    {0xED, 0xA0, 0x80},
    {0xED, 0xBF, 0xBF},
    {0xF4, 0x90, 0x80, 0x80},
    {0xF5},
    {0xFE},
    {0xFF},
    {0x80},
    {0xBF},
    {0xC3},
    {0xE2, 0x82},
    {0xF0, 0x9F, 0x98},
    {0xE2, 0x28, 0xA1},
  };
  private static final String[] TOKENS = {
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "null",
    "true",
    "1e999",
    "-",
    "0.",
    "\\u0000",
    "\\ud800",
    " ",
    "\n",
    "\"x\":",
    "/*",
    "'",
    "NaN",
    "Infinity",
    "\u00e9",
    "\ud83d\ude00",
    "\t",
    "\"\"",
    "{}",
    "[]",
  };
  private static final String[] TRAILING = {
    "{}", " {\"id\":\"other\"}", "x", "]", ",", "null", "\"a\"", "\n\n1", "}"
  };
  private static final String[] CONTENT = {
    "hi",
    "say \"hello\"",
    "back\\slash",
    "line\nbreak",
    "tab\there",
    "caf\u00e9",
    "\ud83d\ude00 emoji",
    "\u0000nul",
    "\u2028separator",
    "</script>",
    "",
  };

  private final SplittableRandom random;
  private int serial;

  public MutatedRequests(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** A valid request, unmutated (but for layout). */
  public Input valid() {
    String id = newId();
    return new Input(layout(base(id)), "valid", true, id, ROUTED);
  }

  /** The next record: sometimes valid, mostly broken in one or more ways. */
  public Input next() {
    String id = newId();
    ObjectNode tree = base(id);
    Input input =
        switch (random.nextInt(16)) {
          case 0 -> layoutVariant(tree, id);
          case 1 -> wrongType(tree, id);
          case 2 -> deepNesting(tree, id);
          case 3 -> longNumber(tree, id);
          case 4 -> outOfRangeNumber(tree, id);
          case 5 -> duplicateField(tree, id);
          case 6 -> duplicateId(tree, id);
          case 7 ->
              insertAfterId(tree, id, "invalid-utf8", bytes(pick(INVALID_UTF8)), "not valid UTF-8");
          case 8 -> insertAfterId(tree, id, "nul", new byte[] {0}, "NUL byte");
          case 9 -> otherEncoding(tree);
          case 10 -> trailing(tree, id);
          case 11 -> longName(tree, id);
          case 12 -> longString(tree, id);
          case 13 -> badId(tree);
          default -> byteMutations(tree, id);
        };
    // Now and then a targeted mutation gets a random one on top: the outcome is then open.
    if (!input.mutation().startsWith("bytes") && random.nextInt(10) == 0) {
      return stack(input);
    }
    return input;
  }

  private String newId() {
    int n = serial++;
    return switch (random.nextInt(8)) {
      case 0 -> "caf\u00e9-" + n;
      case 1 -> "\ud83d\ude00-" + n;
      case 2 -> "with \"quote\" and \\ " + n;
      case 3 -> "x".repeat(RequestIds.MAX_LENGTH - Integer.toString(n).length()) + n;
      default -> "req-" + n;
    };
  }

  private ObjectNode base(String id) {
    ObjectNode r = M.createObjectNode();
    List<Runnable> fields = new ArrayList<>();
    switch (random.nextInt(4)) {
      case 0 -> fields.add(() -> r.put("model", random.nextBoolean() ? "chat" : "solo"));
      case 1 ->
          fields.add(
              () -> {
                ArrayNode lb = r.putArray("load_balancer");
                lb.addObject().put("model", "chat").put("weight", 1.5);
                lb.addObject().put("model", "solo");
              });
      case 2 -> fields.add(() -> r.put("load_balance_group", "group-" + random.nextInt(3)));
      default -> {}
    }
    if (random.nextInt(3) == 0) {
      fields.add(() -> r.putArray("fallbacks").add("solo"));
    }
    if (random.nextInt(4) == 0) {
      fields.add(() -> r.put("num_retries", random.nextInt(21)));
    }
    if (random.nextInt(4) == 0) {
      fields.add(() -> r.put("timeout_ms", 1 + random.nextInt(60_000)));
    }
    if (random.nextInt(4) == 0) {
      String deadline =
          random.nextBoolean() ? "2026-11-22T10:05:00Z" : "2026-11-22T09:00:00.5+01:00";
      fields.add(() -> r.put("deadline", deadline));
    }
    if (random.nextInt(4) == 0) {
      fields.add(() -> r.put("reply_to", random.nextBoolean() ? "switchboard.replies" : "team.a"));
    }
    if (random.nextInt(3) == 0) {
      fields.add(() -> r.putObject("metadata").put("team", pick(CONTENT)).put("caf\u00e9", "1"));
    }
    fields.add(() -> r.set("body", body()));
    // Mostly first, where senders put it; elsewhere the best-effort scan has more to get past.
    int at = random.nextInt(5) == 0 ? random.nextInt(fields.size() + 1) : 0;
    fields.add(at, () -> r.put("id", id));
    fields.forEach(Runnable::run);
    return r;
  }

  private ObjectNode body() {
    ObjectNode body = M.createObjectNode();
    if (random.nextInt(4) == 0) {
      body.put("model", "chat");
    }
    ArrayNode messages = body.putArray("messages");
    if (random.nextBoolean()) {
      messages.addObject().put("role", "system").put("content", pick(CONTENT));
    }
    ObjectNode user = messages.addObject().put("role", "user");
    if (random.nextInt(3) == 0) {
      ArrayNode parts = user.putArray("content");
      parts.addObject().put("type", "text").put("text", pick(CONTENT));
      parts
          .addObject()
          .put("type", "image_url")
          .putObject("image_url")
          .put("url", "https://example.com/a.png");
    } else {
      user.put("content", pick(CONTENT));
    }
    if (random.nextInt(3) == 0) {
      ObjectNode call =
          messages
              .addObject()
              .put("role", "assistant")
              .putNull("content")
              .putArray("tool_calls")
              .addObject()
              .put("id", "call_" + random.nextInt(100))
              .put("type", "function");
      call.putObject("function").put("name", "lookup").put("arguments", "{\"q\":\"a\"}");
      messages
          .addObject()
          .put("role", "tool")
          .put("tool_call_id", call.get("id").asText())
          .put("content", "42");
    }
    if (random.nextBoolean()) {
      body.put("max_tokens", 1 + random.nextInt(4096));
    }
    if (random.nextBoolean()) {
      body.put("temperature", random.nextInt(21) / 10.0);
    }
    if (random.nextInt(4) == 0) {
      ObjectNode parameters =
          body.putArray("tools")
              .addObject()
              .put("type", "function")
              .putObject("function")
              .put("name", "lookup")
              .putObject("parameters")
              .put("type", "object");
      parameters.putObject("properties").putObject("q").put("type", "string");
    }
    return body;
  }

  private Input layoutVariant(ObjectNode tree, String id) {
    byte[] value = layout(tree);
    return switch (random.nextInt(3)) {
      case 0 ->
          new Input(
              concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, value),
              "bom",
              true,
              id,
              ROUTED);
      case 1 ->
          new Input(
              concat(concat(utf8(" \n\t"), value), utf8("\r\n ")), "whitespace", true, id, ROUTED);
      default -> new Input(value, "valid", true, id, ROUTED);
    };
  }

  /** Some field, anywhere, gets a value of another type, is removed or renamed. */
  private Input wrongType(ObjectNode tree, String id) {
    List<String[]> fields = new ArrayList<>();
    collectFields(tree, "", fields);
    String[] field = fields.get(random.nextInt(fields.size()));
    ObjectNode parent = (ObjectNode) tree.at(field[0]);
    boolean isId = field[0].isEmpty() && field[1].equals("id");
    int op = random.nextInt(6);
    if (op == 0) {
      parent.remove(field[1]);
      return new Input(
          layout(tree),
          "remove " + field[0] + "/" + field[1],
          true,
          isId ? null : id,
          isId ? "id is missing" : null);
    } else if (op == 1 && !isId) {
      JsonNode value = parent.remove(field[1]);
      parent.set(field[1] + "_" + random.nextInt(10), value);
      return new Input(layout(tree), "rename " + field[0] + "/" + field[1], true, id, null);
    }
    JsonNode value = randomValue(2);
    parent.set(field[1], value);
    String mutation = "type " + field[0] + "/" + field[1] + "=" + value.getNodeType();
    if (!isId) {
      return new Input(layout(tree), mutation, true, id, null);
    }
    boolean usable = value.isTextual() && RequestIds.problem(value) == null;
    return new Input(layout(tree), mutation, true, usable ? value.asText() : null, null);
  }

  /**
   * A nested array-and-object value in the body; the id comes after it only when the id is not
   * first.
   */
  private Input deepNesting(ObjectNode tree, String id) {
    int[] depths = {1, 60, 125, 126, 127, 200, 999, 1001, 3000};
    int n = depths[random.nextInt(depths.length)];
    StringBuilder open = new StringBuilder();
    StringBuilder close = new StringBuilder();
    for (int i = 0; i < n; i++) {
      boolean array = random.nextInt(3) > 0;
      open.append(array ? "[" : "{\"a\":");
      close.insert(0, array ? "]" : "}");
    }
    byte[] value = splice(tree, (ObjectNode) tree.get("body"), "deep", open + "1" + close);
    // The root and the body are two levels: the deepest value is 2 + n levels down.
    boolean tooDeep = 2 + n > DEPTH;
    boolean idBeforeBody = indexOf(tree, "id") < indexOf(tree, "body");
    boolean idFound = idBeforeBody || 2 + n <= RequestIds.SCAN_DEPTH;
    return new Input(
        value,
        "deep " + n,
        true,
        idFound ? id : null,
        tooDeep ? "deeper than " + DEPTH + " levels" : ROUTED);
  }

  private Input longNumber(ObjectNode tree, String id) {
    int[] lengths = {1, 19, 20, 99, 100, 101, 1000, 5000};
    int digits = lengths[random.nextInt(lengths.length)];
    String number = "9" + "0".repeat(digits - 1);
    if (random.nextInt(4) == 0) {
      // Jackson counts a decimal's digits a little differently by source: stay clear of the limit.
      String decimal = "0." + "5".repeat(digits < NUMBER ? 10 : digits + 50);
      byte[] value = splice(tree, (ObjectNode) tree.get("body"), "n", decimal);
      return new Input(
          value,
          "decimal " + decimal.length(),
          true,
          id,
          digits < NUMBER ? ROUTED : "number at /body/n has more than " + NUMBER + " digits");
    }
    byte[] value = splice(tree, (ObjectNode) tree.get("body"), "n", number);
    return new Input(
        value,
        "integer " + digits,
        true,
        id,
        digits <= NUMBER ? ROUTED : "number at /body/n has more than " + NUMBER + " digits");
  }

  private Input outOfRangeNumber(ObjectNode tree, String id) {
    String[] beyond = {"1e309", "-1e400", "2e308", "1E+999", "-9.9e99999"};
    String[] within = {"1e308", "-1.7976931348623157e308", "4.9e-324", "1e-400", "-0.0"};
    boolean out = random.nextBoolean();
    String number =
        out ? beyond[random.nextInt(beyond.length)] : within[random.nextInt(within.length)];
    String field = out && random.nextBoolean() ? "temperature" : "x";
    byte[] value = splice(tree, (ObjectNode) tree.get("body"), field, number);
    return new Input(
        value,
        "number " + number,
        true,
        id,
        out ? "number at /body/" + field + " is beyond the range" : ROUTED);
  }

  /** Some object other than the root gets one of its fields (or a new one) twice. */
  private Input duplicateField(ObjectNode tree, String id) {
    List<ObjectNode> objects = new ArrayList<>();
    collectObjects(tree.get("body"), objects);
    if (tree.has("metadata")) {
      objects.add((ObjectNode) tree.get("metadata"));
    }
    ObjectNode target = objects.get(random.nextInt(objects.size()));
    Iterator<String> names = target.fieldNames();
    String name = names.hasNext() && random.nextBoolean() ? names.next() : "twice";
    if (!target.has(name)) {
      target.put(name, 1);
    }
    byte[] value =
        splice(
            tree,
            target,
            "\u0001dup",
            json(TextNode.valueOf(name)) + ":" + json(randomValue(1)),
            true);
    return new Input(
        value,
        "duplicate " + name,
        true,
        id,
        "/" + name.replace("~", "~0").replace("/", "~1") + " appears twice");
  }

  private Input duplicateId(ObjectNode tree, String id) {
    boolean same = random.nextBoolean();
    String other = same ? id : id + "-other";
    byte[] value = splice(tree, tree, "\u0001dup", "\"id\":" + json(TextNode.valueOf(other)), true);
    return new Input(
        value,
        same ? "duplicate id, same value" : "duplicate id, another value",
        true,
        same ? id : null,
        "field /id appears twice");
  }

  private Input insertAfterId(
      ObjectNode tree, String id, String mutation, byte[] inserted, String says) {
    byte[] value = layout(tree);
    int at = boundaryAfter(value, idEnd(value, id));
    return new Input(insert(value, at, inserted), mutation, true, id, says);
  }

  private Input otherEncoding(ObjectNode tree) {
    String text = new String(layout(tree), StandardCharsets.UTF_8);
    String[] charsets = {"UTF-16LE", "UTF-16BE", "UTF-16", "UTF-32LE", "UTF-32BE"};
    String charset = charsets[random.nextInt(charsets.length)];
    return new Input(
        text.getBytes(Charset.forName(charset)), charset, true, null, "NUL byte|not valid UTF-8");
  }

  private Input trailing(ObjectNode tree, String id) {
    String junk = TRAILING[random.nextInt(TRAILING.length)];
    return new Input(
        concat(layout(tree), utf8(junk)),
        "trailing " + junk,
        true,
        id,
        "more after its JSON value");
  }

  private Input longName(ObjectNode tree, String id) {
    int[] lengths = {64, NAME, NAME + 1, 5000};
    int length = lengths[random.nextInt(lengths.length)];
    ObjectNode metadata =
        tree.has("metadata") ? (ObjectNode) tree.get("metadata") : tree.putObject("metadata");
    metadata.put("k".repeat(length), "v");
    return new Input(
        layout(tree), "name " + length, true, id, length <= NAME ? ROUTED : "longer than " + NAME);
  }

  private Input longString(ObjectNode tree, String id) {
    // Now and then one far past the tight test limits; most stay small, for speed.
    int[] lengths = {1_000, 1_001, 10_000, 40_000};
    int length = random.nextInt(50) == 0 ? 400_000 : lengths[random.nextInt(lengths.length)];
    ObjectNode message = (ObjectNode) tree.get("body").get("messages").get(0);
    message.put("content", "\u00e9".repeat(length / 2) + "a".repeat(length - length / 2));
    return new Input(layout(tree), "string " + length, true, id, ROUTED);
  }

  private Input badId(ObjectNode tree) {
    String[] ids = {"", " ", "\t\n", "x".repeat(RequestIds.MAX_LENGTH + 1)};
    tree.put("id", ids[random.nextInt(ids.length)]);
    return new Input(layout(tree), "unusable id", true, null, "id ");
  }

  /**
   * One to three random byte-level changes; the id is known only when all of them land after it.
   */
  private Input byteMutations(ObjectNode tree, String id) {
    byte[] value = layout(tree);
    int idEnd = idEnd(value, id);
    StringBuilder mutation = new StringBuilder("bytes");
    boolean intact = true;
    int count = 1 + random.nextInt(3);
    for (int i = 0; i < count; i++) {
      boolean afterId = random.nextBoolean();
      int from = afterId ? idEnd : 0;
      int at = value.length <= from ? value.length : from + random.nextInt(value.length - from + 1);
      intact &= afterId;
      switch (random.nextInt(7)) {
        case 0 -> {
          mutation.append(" flip@").append(at);
          if (at < value.length) {
            value[at] ^= (byte) (1 << random.nextInt(8));
          }
        }
        case 1 -> {
          mutation.append(" set@").append(at);
          if (at < value.length) {
            value[at] = (byte) random.nextInt(256);
          }
        }
        case 2 -> {
          mutation.append(" cut@").append(at);
          value = Arrays.copyOf(value, at);
        }
        case 3 -> {
          byte[] noise = new byte[1 + random.nextInt(8)];
          random.nextBytes(noise);
          mutation.append(" noise@").append(at);
          value = insert(value, at, noise);
        }
        case 4 -> {
          String token = TOKENS[random.nextInt(TOKENS.length)];
          mutation.append(" token@").append(at);
          value = insert(value, at, utf8(token));
        }
        case 5 -> {
          // Deleting a stretch can lift a nested "id" (a tool call's) to the top: the id is open.
          int end = Math.min(value.length, at + 1 + random.nextInt(40));
          mutation.append(" delete@").append(at);
          value = concat(Arrays.copyOf(value, at), Arrays.copyOfRange(value, end, value.length));
          intact = false;
        }
        default -> {
          int start = random.nextInt(value.length + 1);
          int end = Math.min(value.length, start + random.nextInt(60));
          mutation.append(" copy@").append(at);
          value = insert(value, at, Arrays.copyOfRange(value, start, end));
          intact = false;
        }
      }
    }
    return new Input(value, mutation.toString(), intact, intact ? id : null, null);
  }

  private Input stack(Input input) {
    byte[] value = input.value().clone();
    if (value.length > 0) {
      value[random.nextInt(value.length)] ^= (byte) (1 << random.nextInt(8));
    }
    return new Input(value, input.mutation() + "+flip", false, null, null);
  }

  /** Where the top-level id's value ends (after its closing quote), in either layout. */
  private static int idEnd(byte[] value, String id) {
    for (String colon : new String[] {":", " : "}) {
      byte[] member = utf8("\"id\"" + colon + json(TextNode.valueOf(id)));
      for (int i = 0; i + member.length <= value.length; i++) {
        if (Arrays.equals(value, i, i + member.length, member, 0, member.length)) {
          return i + member.length;
        }
      }
    }
    throw new IllegalStateException("no id member in the layout");
  }

  private static int indexOf(ObjectNode tree, String name) {
    int i = 0;
    for (Iterator<String> names = tree.fieldNames(); names.hasNext(); i++) {
      if (names.next().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** A position at or after {@code from} that starts a character (not inside a UTF-8 sequence). */
  private int boundaryAfter(byte[] value, int from) {
    int at = from + random.nextInt(value.length - from + 1);
    while (at < value.length && (value[at] & 0xC0) == 0x80) {
      at++;
    }
    return at;
  }

  private byte[] layout(JsonNode tree) {
    try {
      return random.nextInt(5) == 0
          ? M.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree)
          : M.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] splice(ObjectNode tree, ObjectNode parent, String name, String raw) {
    return splice(tree, parent, name, raw, false);
  }

  /**
   * {@code tree} written out with {@code raw} (JSON text no tree can hold: too deep, too long, a
   * field twice) as the value of {@code name} in {@code parent}, or as a whole member when {@code
   * member}.
   */
  private byte[] splice(
      ObjectNode tree, ObjectNode parent, String name, String raw, boolean member) {
    String marker = "\u0001splice" + serial;
    parent.put(name, marker);
    String text = new String(layout(tree), StandardCharsets.UTF_8);
    String placeholder =
        member
            ? json(TextNode.valueOf(name)) + ":" + json(TextNode.valueOf(marker))
            : json(TextNode.valueOf(marker));
    int at = text.indexOf(placeholder);
    if (at < 0) {
      // The pretty printer puts a space after the colon.
      placeholder = placeholder.replace("\":\"", "\" : \"");
      at = text.indexOf(placeholder);
    }
    return utf8(text.substring(0, at) + raw + text.substring(at + placeholder.length()));
  }

  private JsonNode randomValue(int depth) {
    return switch (random.nextInt(depth > 0 ? 13 : 11)) {
      case 0 -> M.nullNode();
      case 1 -> M.getNodeFactory().booleanNode(random.nextBoolean());
      case 2 -> M.getNodeFactory().numberNode(random.nextInt(-5, 5));
      case 3 -> M.getNodeFactory().numberNode(random.nextDouble() * 1e6);
      case 4 -> M.getNodeFactory().numberNode(new BigInteger("123456789012345678901234567890"));
      case 5 -> TextNode.valueOf("");
      case 6 -> TextNode.valueOf(pick(CONTENT));
      case 7 -> TextNode.valueOf("2026-13-45T99:00:00Z");
      case 8 -> TextNode.valueOf("x".repeat(300));
      case 9 -> M.createArrayNode();
      case 10 -> M.createObjectNode();
      case 11 -> M.createArrayNode().add(randomValue(depth - 1)).add(randomValue(depth - 1));
      default -> M.createObjectNode().set("k", randomValue(depth - 1));
    };
  }

  private static void collectFields(JsonNode node, String pointer, List<String[]> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        out.add(new String[] {pointer, field.getKey()});
        collectFields(field.getValue(), pointer + "/" + field.getKey(), out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectFields(node.get(i), pointer + "/" + i, out);
      }
    }
  }

  private static void collectObjects(JsonNode node, List<ObjectNode> out) {
    if (node.isObject()) {
      out.add((ObjectNode) node);
    }
    node.forEach(child -> collectObjects(child, out));
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }

  private int[] pick(int[][] values) {
    return values[random.nextInt(values.length)];
  }

  /**
   * As the layout writes it (its UTF-8 writer escapes characters beyond the BMP, toString() does
   * not).
   */
  private static String json(JsonNode node) {
    try {
      return new String(M.writeValueAsBytes(node), StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(int[] raw) {
    byte[] out = new byte[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = (byte) raw[i];
    }
    return out;
  }

  private static byte[] insert(byte[] value, int at, byte[] inserted) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + inserted.length);
    out.write(value, 0, at);
    out.write(inserted, 0, inserted.length);
    out.write(value, at, value.length - at);
    return out.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    return insert(a, a.length, b);
  }
}
