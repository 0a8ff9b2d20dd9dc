package io.switchboard.schemas.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one rule for the id of a deployment without {@code deployment_id}: its {@code model_name}
 * when it is the only deployment of that alias, else {@code <model_name>-<n>}, counting from 1 in
 * file order among the deployments of that alias.
 */
final class DeploymentIds {
  private DeploymentIds() {}

  /**
   * The id of every entry of {@code model_list}, in order.
   *
   * @param modelNames each entry's {@code model_name}
   * @param explicitIds each entry's {@code deployment_id}, null where it has none
   */
  static List<String> of(List<String> modelNames, List<String> explicitIds) {
    Map<String, Integer> perAlias = new HashMap<>();
    modelNames.forEach(name -> perAlias.merge(name, 1, Integer::sum));
    Map<String, Integer> seen = new HashMap<>();
    List<String> ids = new ArrayList<>(modelNames.size());
    for (int i = 0; i < modelNames.size(); i++) {
      String name = modelNames.get(i);
      int n = seen.merge(name, 1, Integer::sum);
      String explicit = explicitIds.get(i);
      ids.add(explicit != null ? explicit : perAlias.get(name) == 1 ? name : name + "-" + n);
    }
    return ids;
  }
}
