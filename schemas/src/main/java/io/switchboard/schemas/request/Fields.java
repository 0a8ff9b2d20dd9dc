package io.switchboard.schemas.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.WeightedModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Typed reads of the fields of a gateway's request shape, each failing with the field's JSON
 * pointer. Messages name a field and its type, never its value: a value may be a key.
 */
final class Fields {
  /** Field names that carry provider credentials or choose a provider (compared in lower case). */
  private static final Set<String> CREDENTIALS =
      Set.of(
          "api_key",
          "apikey",
          "virtual_key",
          "credentials",
          "customer_credentials",
          "authorization",
          "provider");

  private static final Set<String> MEMBER_FIELDS = Set.of("model", "weight");

  private Fields() {}

  /** {@code parent}'s child {@code key} as a JSON pointer (RFC 6901 escapes). */
  static String child(String parent, String key) {
    return parent + "/" + key.replace("~", "~0").replace("/", "~1");
  }

  static String child(String parent, int index) {
    return parent + "/" + index;
  }

  static ObjectNode object(JsonNode node, String path) throws RequestShapeException {
    if (node == null || !node.isObject()) {
      throw new RequestShapeException(path, "must be a JSON object, is " + kind(node));
    }
    return (ObjectNode) node;
  }

  static ArrayNode nonEmptyArray(JsonNode node, String path) throws RequestShapeException {
    if (node == null || !node.isArray()) {
      throw new RequestShapeException(path, "must be a JSON array, is " + kind(node));
    }
    if (node.isEmpty()) {
      throw new RequestShapeException(path, "must list at least one entry");
    }
    return (ArrayNode) node;
  }

  static String text(JsonNode node, String path) throws RequestShapeException {
    if (node == null || !node.isTextual() || node.asText().isBlank()) {
      throw new RequestShapeException(path, "must be a non-empty string, is " + kind(node));
    }
    return node.asText();
  }

  /** A relative weight: a finite number of at least 0. */
  static double weight(JsonNode node, String path) throws RequestShapeException {
    if (node == null
        || !node.isNumber()
        || !Double.isFinite(node.asDouble())
        || node.asDouble() < 0) {
      throw new RequestShapeException(path, "must be a number of at least 0, is " + kind(node));
    }
    return node.asDouble();
  }

  /** A count: an integer of at least 0. */
  static int count(JsonNode node, String path) throws RequestShapeException {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
      throw new RequestShapeException(path, "must be an integer of at least 0, is " + kind(node));
    }
    return node.asInt();
  }

  /** A duration in milliseconds: an integer of at least 1. */
  static long millis(JsonNode node, String path) throws RequestShapeException {
    if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 1) {
      throw new RequestShapeException(
          path, "must be a whole number of milliseconds, at least 1, is " + kind(node));
    }
    return node.asLong();
  }

  /**
   * A non-empty list of {@code {"model", "weight"}} members; a member without a weight gets {@code
   * defaultWeight} (null: the native meaning, its deployments' own weights).
   */
  static List<WeightedModel> members(JsonNode node, String path, String what, Double defaultWeight)
      throws RequestShapeException {
    ArrayNode list = nonEmptyArray(node, path);
    List<WeightedModel> members = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String at = child(path, i);
      ObjectNode member = object(list.get(i), at);
      only(member, at, MEMBER_FIELDS, what);
      String model = text(member.get("model"), at + "/model");
      Double weight = defaultWeight;
      if (member.has("weight")) {
        weight = weight(member.get("weight"), at + "/weight");
      }
      members.add(new WeightedModel(model, weight));
    }
    return members;
  }

  /**
   * Refuses every field of {@code node} outside {@code allowed}: credentials and endpoints with the
   * reason they have no place in a request, anything else as not supported in {@code what}.
   */
  static void only(ObjectNode node, String path, Set<String> allowed, String what)
      throws RequestShapeException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        refuse(child(path, name), name, allowed, what);
      }
    }
  }

  /** Refuses the field {@code name} at {@code path}, saying why. */
  static void refuse(String path, String name, Set<String> supported, String what)
      throws RequestShapeException {
    refuseCredentialOrEndpoint(path, name);
    throw new RequestShapeException(
        path,
        "is not supported in "
            + what
            + " (supported: "
            + String.join(", ", supported.stream().sorted().toList())
            + ")");
  }

  /** Refuses {@code name} if it carries a credential, chooses a provider or an endpoint. */
  static void refuseCredentialOrEndpoint(String path, String name) throws RequestShapeException {
    String lower = name.toLowerCase(Locale.ROOT);
    if (CREDENTIALS.contains(lower)) {
      throw new RequestShapeException(
          path,
          "a request carries no provider credentials and chooses no provider: it"
              + " names a model_name or deployment_id, whose provider and key (by reference, ${NAME}) are in the"
              + " workers' model_list; remove this field");
    }
    if (lower.equals("custom_host")) {
      throw new RequestShapeException(
          path,
          "a request cannot choose the endpoint: the api_base of the deployment in"
              + " model_list does; remove this field");
    }
  }

  /** What {@code node} is: a number or boolean is quoted, a string never is (it may be a key). */
  private static String kind(JsonNode node) {
    if (node == null) {
      return "missing";
    }
    if (node.isNumber() || node.isBoolean()) {
      return node.toString();
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isArray() || node.isObject()) {
      return node.isArray() ? "an array" : "an object";
    }
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
