package io.switchboard.router.selection;

import java.util.List;
import java.util.Objects;

/**
 * The deployments one routing step chooses among: an alias, a deployment id, a named group, an
 * inline {@code load_balancer} list or one entry of a fallback chain.
 *
 * @param name what the request named (alias, deployment id, group name, or {@code load_balancer});
 *     it becomes {@code Dispatch.model_name}
 * @param members the deployments with their weights, each deployment at most once, in the order
 *     they were first named
 */
public record CandidateSet(String name, List<Candidate> members) {
  /** The name of a set built from an inline {@code load_balancer} list. */
  public static final String INLINE = "load_balancer";

  public CandidateSet {
    Objects.requireNonNull(name, "name");
    members = List.copyOf(members);
  }

  /** Whether some member may take new traffic. */
  public boolean hasPositiveWeight() {
    return members.stream().anyMatch(c -> c.weight() > 0);
  }

  /**
   * The identity of this set for the rotation state: the name, then every deployment with its
   * weight. Two requests naming the same deployments with the same weights share one rotation; a
   * change of weights starts a new one.
   */
  public String rotationKey() {
    StringBuilder key = new StringBuilder(name).append('|');
    for (Candidate c : members) {
      key.append(c.deploymentId()).append('=').append(c.weight()).append(',');
    }
    return key.toString();
  }
}
