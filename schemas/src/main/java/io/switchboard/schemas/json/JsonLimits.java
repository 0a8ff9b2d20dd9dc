package io.switchboard.schemas.json;

/**
 * How much JSON read from outside the system may ask of the reader. Anything beyond a limit is
 * refused with a {@link JsonInputException} naming the limit.
 *
 * @param maxDepth the deepest nesting of arrays and objects
 * @param maxNumberLength the most digits in a number literal (integer, fraction and exponent
 *     together)
 * @param maxNameLength the longest field name, in characters
 * @param maxStringLength the longest string value, in characters
 */
public record JsonLimits(
    int maxDepth, int maxNumberLength, int maxNameLength, int maxStringLength) {
  /**
   * The limits on request records. Depth 128 leaves room for deeply nested tool schemas
   * (serde_json's recursion limit is the same) while the schema validator and everyone reading a
   * dispatch (which nests the request two levels down) stay far from their own limits. 100 digits
   * hold every 64-bit number written out in full. Field names are identifiers, not content: 1,024
   * characters. String values are content (prompts, base64 images): they are bounded by {@code
   * router_settings.max_request_bytes}, and by 20,000,000 characters when that is raised further.
   */
  public static final JsonLimits REQUESTS = new JsonLimits(128, 100, 1024, 20_000_000);

  public JsonLimits {
    positive("max_depth", maxDepth);
    positive("max_number_length", maxNumberLength);
    positive("max_name_length", maxNameLength);
    positive("max_string_length", maxStringLength);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
  }
}
