package io.switchboard.schemas;

import java.util.Objects;

/**
 * One member of an inline {@code load_balancer} list or a named load-balance group: a model alias
 * or deployment id with a relative weight. A {@code null} weight means "use the deployment's
 * default weight" (its rpm when set, else 1); 0 means "no new traffic".
 */
public record WeightedModel(String model, Double weight) {
  public WeightedModel {
    Objects.requireNonNull(model, "model");
    if (weight != null && (weight.isNaN() || weight < 0 || weight.isInfinite())) {
      throw new IllegalArgumentException(
          "weight of '" + model + "' must be a finite number >= 0, was " + weight);
    }
  }
}
