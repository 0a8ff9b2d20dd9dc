package io.switchboard.schemas.request;

import io.switchboard.schemas.WeightedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a Portkey target routes to, in the terms of the native envelope: a first candidate set
 * ({@code head}) and one fallback chain of single models ({@code tail}). A head of one member
 * without a weight is a plain model; otherwise it is an inline load balancer.
 *
 * <p>The native envelope holds one weighted set and one chain, so only these nestings have an exact
 * form, and the others are refused:
 *
 * <ul>
 *   <li>a loadbalance: the union of its targets' heads, each scaled to its target's share, over the
 *       one chain they all share (targets with different chains are refused);
 *   <li>a fallback: its first target's head, then the first target's chain, then each later
 *       target's single model and chain in order (a later target that is a loadbalance of more than
 *       one model is refused: a chain entry is one model).
 * </ul>
 *
 * @param head the first candidates; a weight of null means the model's own deployments' weights
 * @param tail the models to fall back to, in order
 */
record PortkeyRoute(List<WeightedModel> head, List<String> tail) {
  PortkeyRoute {
    head = List.copyOf(head);
    tail = List.copyOf(tail);
  }

  static PortkeyRoute model(String model) {
    return new PortkeyRoute(List.of(new WeightedModel(model, null)), List.of());
  }

  /** Whether the head is one model without a weight (the native {@code model}). */
  boolean plainModel() {
    return head.size() == 1 && head.get(0).weight() == null;
  }

  /**
   * A loadbalance over {@code targets} with relative {@code weights}; {@code paths} are the
   * targets' JSON pointers, for errors.
   */
  static PortkeyRoute loadBalance(
      List<PortkeyRoute> targets, List<Double> weights, List<String> paths)
      throws RequestShapeException {
    List<String> tail = targets.get(0).tail();
    Map<String, Double> members = new LinkedHashMap<>();
    for (int i = 0; i < targets.size(); i++) {
      PortkeyRoute target = targets.get(i);
      if (!target.tail().equals(tail)) {
        throw new RequestShapeException(
            paths.get(i),
            "falls back to "
                + target.tail()
                + " while "
                + paths.get(0)
                + " falls back to "
                + tail
                + ": a request has one fallback chain, so the targets of a loadbalance must"
                + " share theirs");
      }
      double total = target.head().stream().mapToDouble(PortkeyRoute::weightOrOne).sum();
      for (WeightedModel m : target.head()) {
        double share = total > 0 ? weightOrOne(m) / total * weights.get(i) : 0;
        members.merge(m.model(), share, Double::sum);
      }
    }
    List<WeightedModel> head = new ArrayList<>();
    members.forEach((model, weight) -> head.add(new WeightedModel(model, weight)));
    return new PortkeyRoute(head, tail);
  }

  /** A fallback over {@code targets}, tried in order; {@code paths} are their JSON pointers. */
  static PortkeyRoute fallback(List<PortkeyRoute> targets, List<String> paths)
      throws RequestShapeException {
    List<String> tail = new ArrayList<>(targets.get(0).tail());
    for (int i = 1; i < targets.size(); i++) {
      PortkeyRoute target = targets.get(i);
      if (target.head().size() != 1) {
        throw new RequestShapeException(
            paths.get(i),
            "balances "
                + target.head().size()
                + " models as a later"
                + " target of a fallback: each entry of a fallback chain is one model, so only the first target of a"
                + " fallback may be a loadbalance");
      }
      tail.add(target.head().get(0).model());
      tail.addAll(target.tail());
    }
    return new PortkeyRoute(targets.get(0).head(), tail);
  }

  private static double weightOrOne(WeightedModel m) {
    return m.weight() == null ? 1 : m.weight();
  }
}
