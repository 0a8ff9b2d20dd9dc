package io.switchboard.schemas.config.litellm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * Reads one LiteLLM value into its native form: types checked, {@code os.environ/NAME} turned into
 * the native {@code ${NAME}}, seconds into milliseconds, prices per token into prices per million.
 * Errors name the LiteLLM path.
 */
final class Values {
  /** LiteLLM's prefix of a value read from the environment. */
  static final String ENV_PREFIX = "os.environ/";

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern NATIVE_REF = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*}");
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  private Values() {}

  /**
   * A string (a number or boolean is taken as written), with an environment reference translated.
   */
  static TextNode text(JsonNode node, String path) {
    if (!node.isValueNode() || node.isNull()) {
      throw new LiteLlmConfigException(path, "expected a string, got " + kind(node));
    }
    String s = node.asText();
    return new TextNode(
        s.startsWith(ENV_PREFIX) ? envRef(s.substring(ENV_PREFIX.length()), path) : s);
  }

  /**
   * An API key: {@code os.environ/NAME} or {@code ${NAME}}, never a literal key, which is refused
   * without being shown.
   */
  static TextNode apiKey(JsonNode node, String path) {
    if (node.isTextual() && node.asText().startsWith(ENV_PREFIX)) {
      return new TextNode(envRef(node.asText().substring(ENV_PREFIX.length()), path));
    }
    if (node.isTextual() && NATIVE_REF.matcher(node.asText()).matches()) {
      return (TextNode) node;
    }
    throw new LiteLlmConfigException(
        path,
        "a literal key (not shown) is not accepted: keys never sit in a config "
            + "file or on a topic; write os.environ/NAME and set NAME in the workers' environment");
  }

  /** A whole number. */
  static IntNode wholeNumber(JsonNode node, String path) {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw new LiteLlmConfigException(path, "expected a whole number, got " + show(node));
    }
    return IntNode.valueOf(node.intValue());
  }

  /** A number, as written. */
  static JsonNode number(JsonNode node, String path) {
    if (!node.isNumber()) {
      throw new LiteLlmConfigException(path, "expected a number, got " + show(node));
    }
    return node;
  }

  /** Seconds (LiteLLM's unit for timeouts) as whole milliseconds, at least 1. */
  static LongNode millis(JsonNode seconds, String path) {
    BigDecimal ms = decimal(seconds, path).multiply(THOUSAND).setScale(0, RoundingMode.HALF_UP);
    return LongNode.valueOf(Math.max(1, ms.longValueExact()));
  }

  /** Seconds rounded up to whole seconds, at least 1. */
  static IntNode wholeSeconds(JsonNode seconds, String path) {
    BigDecimal s = decimal(seconds, path).setScale(0, RoundingMode.CEILING);
    return IntNode.valueOf(Math.max(1, s.intValueExact()));
  }

  /** A price per token as a price per million tokens, exactly (2.5e-6 becomes 2.5). */
  static DecimalNode perMillion(JsonNode perToken, String path) {
    return (DecimalNode)
        JsonNodeFactory.withExactBigDecimals(true)
            .numberNode(
                new BigDecimal(
                    decimal(perToken, path)
                        .multiply(MILLION)
                        .stripTrailingZeros()
                        .toPlainString()));
  }

  private static BigDecimal decimal(JsonNode node, String path) {
    if (!node.isNumber()) {
      throw new LiteLlmConfigException(path, "expected a number, got " + show(node));
    }
    if (node.decimalValue().signum() < 0) {
      throw new LiteLlmConfigException(path, node.asText() + " is below the minimum of 0");
    }
    return node.decimalValue();
  }

  private static String envRef(String name, String path) {
    if (!ENV_NAME.matcher(name).matches()) {
      throw new LiteLlmConfigException(
          path,
          "os.environ/ must be followed by an environment variable name "
              + "(letters, digits and _)");
    }
    return "${" + name + "}";
  }

  /** A value for an error message: strings quoted, containers by kind. */
  static String show(JsonNode node) {
    if (node.isTextual()) {
      return "'" + node.asText() + "'";
    }
    return node.isValueNode() ? node.asText() : kind(node);
  }

  static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case OBJECT -> "a mapping";
      case ARRAY -> "a list";
      case NULL -> "nothing";
      default -> show(node);
    };
  }
}
