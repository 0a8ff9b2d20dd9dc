package io.switchboard.worker.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.Provider;
import io.switchboard.schemas.json.Json;
import java.util.List;

/** Deployments and bodies for adapter tests. */
final class Deployments {
  private Deployments() {}

  static DeploymentConfig of(
      Provider provider, String id, String model, String apiBase, String keyEnv) {
    return new DeploymentConfig(
        "alias-" + id,
        id,
        provider,
        model,
        apiBase,
        keyEnv == null ? null : "${" + keyEnv + "}",
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  static DeploymentConfig withExtras(
      DeploymentConfig d, String apiVersion, List<ObjectNode> messages, ObjectNode overrides) {
    return new DeploymentConfig(
        d.modelName(),
        d.deploymentId(),
        d.provider(),
        d.model(),
        d.apiBase(),
        d.apiKey(),
        apiVersion,
        d.rpm(),
        d.tpm(),
        d.weight(),
        d.timeoutMs(),
        d.maxRetries(),
        d.backoff(),
        messages,
        overrides,
        d.contextWindow(),
        d.inputCostPerMillion(),
        d.outputCostPerMillion(),
        d.lanes(),
        d.rateWindowSeconds(),
        d.retryOnStatusCodes(),
        d.retryPolicy(),
        d.priorityReserve(),
        null,
        null,
        null,
        null,
        null);
  }

  static ObjectNode body(String userText) {
    ObjectNode body = Json.mapper().createObjectNode();
    body.put("model", "whatever-the-caller-said");
    body.putArray("messages").addObject().put("role", "user").put("content", userText);
    return body;
  }

  static ObjectNode json(String text) {
    return (ObjectNode) Json.parse(text);
  }
}
