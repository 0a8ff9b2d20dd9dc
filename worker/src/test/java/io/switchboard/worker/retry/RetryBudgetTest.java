package io.switchboard.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.TransportFailure.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code retry_on_status_codes} and {@code retry_policy}, router default and per deployment. */
class RetryBudgetTest {
  static final String YAML =
      """
      model_list:
        - {model_name: plain}
        - {model_name: codes, max_retries: 3, retry_on_status_codes: [429, 400]}
        - {model_name: policy, max_retries: 3, retry_policy: {rate_limit: 5, server_error: 0}}
        - {model_name: both, max_retries: 1, retry_on_status_codes: [503], retry_policy: {bad_request: 2}}
      """;

  static RetryBudget budget(String yaml, String deployment) {
    SwitchboardConfig config = new ConfigLoader(k -> null).parse(yaml, "test");
    return RetryBudget.of(config.deployment(deployment).orElseThrow(), config.routerSettings());
  }

  static int retries(RetryBudget budget, ProviderResponse response) {
    return budget.retriesFor(response);
  }

  @Test
  void withoutPolicyKeysTheDefaultsAreTodaysRule() {
    RetryBudget plain = budget(YAML, "plain");
    assertThat(plain).isEqualTo(RetryBudget.defaults(2));
    for (int status : List.of(408, 409, 429, 500, 503, 529)) {
      assertThat(retries(plain, Responses.status(status))).as("HTTP %s", status).isEqualTo(2);
    }
    for (int status : List.of(400, 401, 403, 404, 413, 422)) {
      assertThat(retries(plain, Responses.status(status))).as("HTTP %s", status).isZero();
    }
    assertThat(retries(plain, Responses.failure(Kind.TIMEOUT))).isEqualTo(2);
    assertThat(retries(plain, Responses.failure(Kind.NOT_CONFIGURED))).isZero();
    assertThat(retries(plain, Responses.body(200, OutcomeClassifierTest.CONTENT_FILTERED)))
        .isZero();
  }

  @Test
  void retryOnStatusCodesReplacesTheDefaultStatusesButNotTransportFailures() {
    RetryBudget codes = budget(YAML, "codes");
    assertThat(retries(codes, Responses.status(429))).isEqualTo(3);
    assertThat(retries(codes, Responses.status(400))).isEqualTo(3);
    assertThat(retries(codes, Responses.status(503))).as("not listed").isZero();
    assertThat(retries(codes, Responses.status(408))).as("not listed").isZero();
    assertThat(retries(codes, Responses.failure(Kind.CONNECT))).isEqualTo(3);
    assertThat(retries(codes, Responses.body(200, "{\"unexpected\":true}"))).isEqualTo(3);
    assertThat(retries(codes, Responses.error(400, null, "context_length_exceeded", "too long")))
        .as("a context-window error is never retried")
        .isZero();
    assertThat(
            OutcomeClassifier.classify(
                Responses.error(400, null, "context_length_exceeded", "too long"), 0, codes))
        .isEqualTo(Outcome.CONTEXT_WINDOW);
    // Once its retries are used up a status keeps its outcome: a 400 fails, a 503 hands back.
    assertThat(OutcomeClassifier.classify(Responses.status(400), 2, codes))
        .isEqualTo(Outcome.RETRY);
    assertThat(OutcomeClassifier.classify(Responses.status(400), 3, codes)).isEqualTo(Outcome.FAIL);
    assertThat(OutcomeClassifier.classify(Responses.status(503), 0, codes))
        .isEqualTo(Outcome.FALLBACK);
  }

  @Test
  void retryPolicySetsTheRetriesOfEachClassAndLeavesTheOthers() {
    RetryBudget policy = budget(YAML, "policy");
    assertThat(retries(policy, Responses.status(429))).isEqualTo(5);
    assertThat(retries(policy, Responses.status(500))).isZero();
    assertThat(retries(policy, Responses.status(408)))
        .as("timeout unset: max_retries")
        .isEqualTo(3);
    assertThat(retries(policy, Responses.status(401))).as("authentication unset: none").isZero();
    assertThat(OutcomeClassifier.classify(Responses.status(429), 4, policy))
        .isEqualTo(Outcome.RETRY);
    assertThat(OutcomeClassifier.classify(Responses.status(429), 5, policy))
        .isEqualTo(Outcome.FALLBACK);
    assertThat(OutcomeClassifier.classify(Responses.status(500), 0, policy))
        .isEqualTo(Outcome.FALLBACK);
  }

  @Test
  void theDeploymentsPolicyOverridesTheRoutersClassByClass() {
    String yaml =
        YAML
            + """
        router_settings:
          retry_on_status_codes: [500]
          retry_policy: {rate_limit: 1, timeout: 4, bad_request: 7, content_policy: 1}
        """;
    RetryBudget plain = budget(yaml, "plain");
    assertThat(retries(plain, Responses.status(500))).as("the router's list").isEqualTo(2);
    assertThat(retries(plain, Responses.status(503))).isZero();
    assertThat(retries(plain, Responses.status(429))).isEqualTo(1);
    assertThat(retries(plain, Responses.failure(Kind.TIMEOUT))).isEqualTo(4);
    assertThat(retries(plain, Responses.body(200, OutcomeClassifierTest.CONTENT_FILTERED)))
        .isEqualTo(1);
    RetryBudget both = budget(yaml, "both");
    assertThat(retries(both, Responses.status(503))).as("its own list").isEqualTo(1);
    assertThat(retries(both, Responses.status(500))).isZero();
    assertThat(retries(both, Responses.status(400))).as("its own bad_request").isEqualTo(2);
    assertThat(retries(both, Responses.status(429))).as("the router's rate_limit").isEqualTo(1);
    RetryBudget policy = budget(yaml, "policy");
    assertThat(retries(policy, Responses.status(429))).as("its own rate_limit").isEqualTo(5);
    assertThat(retries(policy, Responses.status(408))).as("the router's timeout").isEqualTo(4);
  }

  @Test
  void aContentFilterRefusalIsRetriedOnlyByPolicyAndOtherwiseIsTheAnswer() {
    ProviderResponse filtered = Responses.body(200, OutcomeClassifierTest.CONTENT_FILTERED);
    assertThat(OutcomeClassifier.classify(filtered, 0, RetryBudget.defaults(2)))
        .isEqualTo(Outcome.SUCCESS);
    RetryBudget once =
        budget(YAML + "router_settings: {retry_policy: {content_policy: 1}}\n", "plain");
    assertThat(OutcomeClassifier.classify(filtered, 0, once)).isEqualTo(Outcome.RETRY);
    assertThat(OutcomeClassifier.classify(filtered, 1, once)).isEqualTo(Outcome.SUCCESS);
    ProviderResponse refused = Responses.error(400, null, "content_filter", "filtered");
    assertThat(OutcomeClassifier.classify(refused, 0, once)).isEqualTo(Outcome.RETRY);
    assertThat(OutcomeClassifier.classify(refused, 1, once)).isEqualTo(Outcome.FAIL);
    assertThat(OutcomeClassifier.classify(filtered, 0, RetryBudget.defaults(2), true))
        .as("with a content-policy chain left")
        .isEqualTo(Outcome.CONTENT_POLICY);
    assertThat(OutcomeClassifier.classify(refused, 0, once, true))
        .as("its retries first")
        .isEqualTo(Outcome.RETRY);
    assertThat(OutcomeClassifier.classify(refused, 1, once, true))
        .isEqualTo(Outcome.CONTENT_POLICY);
    assertThat(OutcomeClassifier.classify(Responses.status(503), 2, RetryBudget.defaults(2), true))
        .as("a chain changes nothing for other failures")
        .isEqualTo(Outcome.FALLBACK);
    RetryBudget listed = budget(YAML, "codes");
    assertThat(OutcomeClassifier.classify(refused, 0, listed))
        .as("400 listed, but a refusal is not a status problem")
        .isEqualTo(Outcome.FAIL);
  }

  @Test
  void aFailureTheBudgetRetriesIsNoCauseForAnImmediateCooldown() {
    RetryBudget auth =
        budget(YAML + "router_settings: {retry_policy: {authentication: 1}}\n", "plain");
    assertThat(OutcomeClassifier.fault(Responses.status(401), auth)).isEqualTo(Fault.TRANSIENT);
    assertThat(OutcomeClassifier.fault(Responses.status(401), RetryBudget.defaults(2)))
        .isEqualTo(Fault.UNUSABLE);
    assertThat(OutcomeClassifier.fault(Responses.status(422), auth)).isEqualTo(Fault.NONE);
    assertThat(OutcomeClassifier.fault(Responses.status(500), auth)).isEqualTo(Fault.TRANSIENT);
  }
}
