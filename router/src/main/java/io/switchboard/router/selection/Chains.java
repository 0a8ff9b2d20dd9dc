package io.switchboard.router.selection;

import java.util.List;

/**
 * The chains a request may still follow, each a list of aliases or deployment ids in order.
 *
 * @param fallbacks where the request goes when no deployment of its set is left
 * @param contextWindow where it goes when the prompt does not fit
 * @param contentPolicy where it goes when a deployment's content filter refuses it
 */
public record Chains(
    List<String> fallbacks, List<String> contextWindow, List<String> contentPolicy) {
  public Chains {
    fallbacks = List.copyOf(fallbacks);
    contextWindow = List.copyOf(contextWindow);
    contentPolicy = List.copyOf(contentPolicy);
  }
}
