package io.switchboard.router.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.switchboard.schemas.DeploymentHealth;
import io.switchboard.schemas.config.DynamicWeightsSettings;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DynamicWeightsTest {
  static final DynamicWeightsSettings ON = new DynamicWeightsSettings(true, 0.1, 2.0, 1.0);
  static final Map<String, Double> BASE = Map.of("a", 70.0, "b", 30.0);

  static DeploymentHealth health(String id, double errorRate, double latencyMs) {
    return new DeploymentHealth(id, null, null, 0, errorRate, latencyMs, Instant.EPOCH);
  }

  static Map<String, Double> base(double a, double b) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("a", a);
    m.put("b", b);
    return m;
  }

  @Test
  void offByDefaultLeavesWeightsAsConfigured() {
    Map<String, Double> out =
        DynamicWeights.adjust(
            base(70, 30), Map.of("a", health("a", 0.9, 5000)), DynamicWeightsSettings.DEFAULT);
    assertThat(out).containsExactlyEntriesOf(base(70, 30));
  }

  @Test
  void healthyDeploymentsKeepTheirWeights() {
    Map<String, Double> out =
        DynamicWeights.adjust(
            base(70, 30), Map.of("a", health("a", 0, 100), "b", health("b", 0, 100)), ON);
    assertThat(out.get("a")).isCloseTo(70, within(1e-9));
    assertThat(out.get("b")).isCloseTo(30, within(1e-9));
    assertThat(DynamicWeights.adjust(base(70, 30), Map.of(), ON).get("a"))
        .isCloseTo(70, within(1e-9));
  }

  @Test
  void errorsScaleAWeightDownByTheConfiguredPower() {
    Map<String, Double> out =
        DynamicWeights.adjust(base(50, 50), Map.of("a", health("a", 0.5, 0)), ON);
    // a: 0.5 * 0.25 = 0.125, b: 0.5 -> shares 0.2 / 0.8 of the same total
    assertThat(out.get("a")).isCloseTo(20, within(1e-9));
    assertThat(out.get("b")).isCloseTo(80, within(1e-9));
  }

  @Test
  void slowerDeploymentsGetLessInProportionToTheFastest() {
    Map<String, Double> out =
        DynamicWeights.adjust(
            base(50, 50), Map.of("a", health("a", 0, 100), "b", health("b", 0, 300)), ON);
    assertThat(out.get("a") / out.get("b")).isCloseTo(3.0, within(1e-9));
  }

  @Test
  void aFailingDeploymentIsHeldAtItsFloorNeverStarved() {
    Map<String, Double> out =
        DynamicWeights.adjust(base(70, 30), Map.of("b", health("b", 1.0, 0)), ON);
    assertThat(out.get("b")).isCloseTo(0.1 * 30, within(1e-9));
    assertThat(out.get("a")).isCloseTo(100 - 3, within(1e-9));
  }

  @Test
  void whenAllFailTheConfiguredSplitStands() {
    Map<String, Double> out =
        DynamicWeights.adjust(
            base(70, 30), Map.of("a", health("a", 1.0, 0), "b", health("b", 1.0, 0)), ON);
    assertThat(out.get("a")).isCloseTo(70, within(1e-9));
    assertThat(out.get("b")).isCloseTo(30, within(1e-9));
  }

  @Test
  void randomHealthKeepsTheTotalAndEveryFloor() {
    Random random = new Random(7);
    for (int round = 0; round < 500; round++) {
      int n = 2 + random.nextInt(6);
      double fraction = random.nextDouble();
      DynamicWeightsSettings settings =
          new DynamicWeightsSettings(
              true, fraction, random.nextDouble() * 4, random.nextDouble() * 2);
      Map<String, Double> base = new LinkedHashMap<>();
      Map<String, DeploymentHealth> health = new HashMap<>();
      for (int i = 0; i < n; i++) {
        String id = "d" + i;
        base.put(id, random.nextInt(4) == 0 ? 0.0 : 1 + random.nextInt(100));
        if (random.nextBoolean()) {
          health.put(
              id,
              health(
                  id, random.nextDouble(), random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(5000)));
        }
      }
      double total = base.values().stream().mapToDouble(Double::doubleValue).sum();
      Map<String, Double> out = DynamicWeights.adjust(base, health, settings);
      assertThat(out.keySet()).containsExactlyElementsOf(base.keySet());
      if (total == 0) {
        continue;
      }
      assertThat(out.values().stream().mapToDouble(Double::doubleValue).sum())
          .isCloseTo(total, within(1e-6 * total));
      base.forEach(
          (id, w) -> {
            assertThat(out.get(id))
                .as("floor of %s in round", id)
                .isGreaterThanOrEqualTo(fraction * w - 1e-9);
            if (w == 0) {
              assertThat(out.get(id)).isZero();
            }
          });
    }
  }
}
