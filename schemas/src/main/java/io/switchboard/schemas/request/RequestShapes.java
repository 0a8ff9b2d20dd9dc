package io.switchboard.schemas.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Puts a request envelope that uses the request shapes of other gateways into the native envelope
 * ({@code route-request.schema.json}), so that producers moving from them keep their request
 * bodies. The shapes, each mapped onto existing native fields:
 *
 * <ul>
 *   <li>Keywords AI: an object {@code load_balance_group} and {@code fallback_models} ({@link
 *       KeywordsAiShape});
 *   <li>orq.ai: the {@code orq} object ({@link OrqShape});
 *   <li>Portkey: an inline {@code config} ({@link PortkeyShape}, nestings in {@link PortkeyRoute}).
 * </ul>
 *
 * The native precedence is unchanged (inline {@code load_balancer} &gt; {@code model} &gt; {@code
 * load_balance_group} &gt; {@code body.model}): a shape only sets native fields. A native field set
 * twice (natively and by a shape, or by two shapes) is refused naming both; so is anything a shape
 * says that the native envelope cannot express exactly, and every field a shape does not know.
 * Nothing is approximated. The result is validated against the schema as any native request is.
 */
public final class RequestShapes {
  /** The top-level fields a shape is read from (a string {@code load_balance_group} is native). */
  public static final Set<String> FIELDS =
      Set.of(
          KeywordsAiShape.GROUP,
          KeywordsAiShape.FALLBACK_MODELS,
          OrqShape.FIELD,
          PortkeyShape.FIELD);

  private RequestShapes() {}

  /**
   * The native form of {@code envelope}: {@code envelope} itself when it uses no other shape, else
   * a new envelope (sharing the unchanged values) without the shapes' fields and with the native
   * fields they map to. {@code envelope} is not changed.
   *
   * @throws RequestShapeException a shape's field that has no exact native form, names a credential
   *     or an endpoint, or sets a native field that is already set; it names the field
   */
  public static ObjectNode toNative(ObjectNode envelope) throws RequestShapeException {
    boolean orq = envelope.has(OrqShape.FIELD);
    boolean portkey = envelope.has(PortkeyShape.FIELD);
    boolean keywordsAi = KeywordsAiShape.usedBy(envelope);
    if (!orq && !portkey && !keywordsAi) {
      return envelope;
    }
    ObjectNode out = envelope.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = envelope.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      boolean nativeGroup =
          field.getKey().equals(KeywordsAiShape.GROUP) && !field.getValue().isObject();
      if (nativeGroup || !FIELDS.contains(field.getKey())) {
        out.set(field.getKey(), field.getValue());
      }
    }
    NativeFields fields = new NativeFields(out);
    if (keywordsAi) {
      KeywordsAiShape.read(envelope, fields);
    }
    if (orq) {
      OrqShape.read(envelope.get(OrqShape.FIELD), fields);
    }
    if (portkey) {
      PortkeyShape.read(envelope.get(PortkeyShape.FIELD), fields);
    }
    return out;
  }
}
