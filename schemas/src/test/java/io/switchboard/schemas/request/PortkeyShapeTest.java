package io.switchboard.schemas.request;

import static io.switchboard.schemas.request.Shapes.assertNative;
import static io.switchboard.schemas.request.Shapes.refused;
import static io.switchboard.schemas.request.Shapes.toNative;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.json.Json;
import org.junit.jupiter.api.Test;

class PortkeyShapeTest {
  /**
   * A target routing to {@code model}, with more members (single-quoted) when {@code extra} is not
   * empty.
   */
  static String target(String model, String extra) {
    return "{'override_params':{'model':'"
        + model
        + "'}"
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  static String target(String model) {
    return target(model, "");
  }

  static String strategy(String mode, String... targets) {
    return "'strategy':{'mode':'" + mode + "'},'targets':[" + String.join(",", targets) + "]";
  }

  static String nested(String mode, String... targets) {
    return "{" + strategy(mode, targets) + "}";
  }

  @Test
  void aLoadbalanceOfModelsIsTheInlineLoadBalancerWithPortkeysDefaultWeight() throws Exception {
    assertNative(
        "'config':{"
            + strategy(
                "loadbalance",
                target("a", "'weight':0.75"),
                target("b", "'weight':0.25"),
                target("c"))
            + "}",
        "'load_balancer':[{'model':'a','weight':0.75},{'model':'b','weight':0.25},"
            + "{'model':'c','weight':1.0}]");
  }

  @Test
  void aFallbackOfModelsIsAModelAndItsChain() throws Exception {
    assertNative(
        "'config':{" + strategy("fallback", target("a"), target("b"), target("c")) + "}",
        "'model':'a','fallbacks':['b','c']");
  }

  @Test
  void aFallbackWhoseFirstTargetIsALoadbalanceIsALoadBalancerAndAChain() throws Exception {
    assertNative(
        "'config':{"
            + strategy(
                "fallback",
                nested("loadbalance", target("a", "'weight':3"), target("b", "'weight':1")),
                target("c"))
            + "}",
        "'load_balancer':[{'model':'a','weight':3.0},{'model':'b','weight':1.0}],'fallbacks':['c']");
  }

  @Test
  void aLoadbalanceOfFallbacksSharingOneChainIsALoadBalancerAndThatChain() throws Exception {
    assertNative(
        "'config':{"
            + strategy(
                "loadbalance",
                "{'weight':2," + strategy("fallback", target("a"), target("c")) + "}",
                "{'weight':1," + strategy("fallback", target("b"), target("c")) + "}")
            + "}",
        "'load_balancer':[{'model':'a','weight':2.0},{'model':'b','weight':1.0}],'fallbacks':['c']");
  }

  @Test
  void aLoadbalanceOfFallbacksWithDifferentChainsIsRefused() {
    RequestShapeException e =
        refused(
            "'config':{"
                + strategy(
                    "loadbalance",
                    nested("fallback", target("a"), target("c")),
                    nested("fallback", target("b"), target("d")))
                + "}");
    assertThat(e.field()).isEqualTo("/config/targets/1");
    assertThat(e.reason()).contains("[d]").contains("[c]").contains("one fallback chain");
    RequestShapeException bare =
        refused(
            "'config':{"
                + strategy("loadbalance", nested("fallback", target("a"), target("c")), target("b"))
                + "}");
    assertThat(bare.field()).isEqualTo("/config/targets/1");
  }

  @Test
  void aLoadbalanceAsALaterFallbackTargetIsRefused() {
    RequestShapeException e =
        refused(
            "'config':{"
                + strategy("fallback", target("a"), nested("loadbalance", target("b"), target("c")))
                + "}");
    assertThat(e.field()).isEqualTo("/config/targets/1");
    assertThat(e.reason()).contains("only the first target of a fallback may be a loadbalance");
  }

  @Test
  void aLaterFallbackTargetThatBalancesOneModelIsThatModel() throws Exception {
    assertNative(
        "'config':{" + strategy("fallback", target("a"), nested("loadbalance", target("b"))) + "}",
        "'model':'a','fallbacks':['b']");
  }

  @Test
  void nestedLoadbalancesMultiplyTheirShares() throws Exception {
    assertNative(
        "'config':{"
            + strategy(
                "loadbalance",
                "{'weight':0.5,"
                    + strategy("loadbalance", target("a", "'weight':1"), target("b", "'weight':3"))
                    + "}",
                target("c", "'weight':0.5"),
                target("a", "'weight':0.5"))
            + "}",
        "'load_balancer':[{'model':'a','weight':0.625},{'model':'b','weight':0.375},{'model':'c','weight':0.5}]");
  }

  @Test
  void nestedFallbacksFollowOneAnotherInOrder() throws Exception {
    assertNative(
        "'config':{"
            + strategy(
                "fallback",
                nested("fallback", target("a"), target("b")),
                nested("fallback", target("c"), target("d")))
            + "}",
        "'model':'a','fallbacks':['b','c','d']");
  }

  @Test
  void aModelSetOnAnEnclosingTargetIsInherited() throws Exception {
    assertNative(
        "'config':{'override_params':{'model':'a'},"
            + strategy("fallback", "{}", target("b"))
            + "}",
        "'model':'a','fallbacks':['b']");
  }

  @Test
  void aTargetWithoutAModelIsRefused() {
    assertThat(
            refused("'config':{" + strategy("fallback", target("a"), "{'weight':1}") + "}").field())
        .isEqualTo("/config/targets/1/override_params/model");
  }

  @Test
  void aConfigWithoutTargetsNamesOneModelOrLeavesTheRequestsOwn() throws Exception {
    assertNative(
        "'config':{'override_params':{'model':'a'},'retry':{'attempts':3},'request_timeout':5000}",
        "'model':'a','num_retries':3,'timeout_ms':5000");
    assertNative(
        "'model':'chat','config':{'retry':{'attempts':2}}", "'model':'chat','num_retries':2");
  }

  @Test
  void samplingOverridesSharedByEveryTargetAreSetInTheBody() throws Exception {
    var out =
        toNative(
            "'config':{'override_params':{'temperature':0.2},"
                + strategy(
                    "fallback",
                    target("a", "'override_params':{'model':'a','max_tokens':50}"),
                    target("b", "'override_params':{'model':'b'," + "'max_tokens':50}"))
                + "}");
    assertThat(out.get("body"))
        .isEqualTo(
            Json.parse(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                    + "\"temperature\":0.2,\"max_tokens\":50}"));
    assertThat(out.get("fallbacks")).isEqualTo(Json.parse("[\"b\"]"));
  }

  @Test
  void samplingOverridesThatDifferBetweenTargetsAreRefused() {
    RequestShapeException e =
        refused(
            "'config':{"
                + strategy(
                    "loadbalance",
                    "{'override_params':{'model':'a','temperature':0.2}}",
                    "{'override_params':{'model':'b'}}")
                + "}");
    assertThat(e.field()).isEqualTo("/config/targets/1/override_params/temperature");
    assertThat(e.reason()).contains("/config/targets/0");
  }

  @Test
  void overrideParamsThatChangeMoreThanSamplingAreRefused() {
    RequestShapeException e = refused("'config':{'override_params':{'model':'a','tools':[]}}");
    assertThat(e.field()).isEqualTo("/config/override_params/tools");
    assertThat(e.reason()).contains("temperature");
  }

  @Test
  void credentialsAnywhereInTheConfigAreRefusedWithoutQuotingThem() {
    for (String field :
        new String[] {
          "'api_key':'sk-secret-2'",
          "'virtual_key':'sk-secret-2'",
          "'provider':'openai','api_key':'sk-secret-2'"
        }) {
      RequestShapeException top =
          refused("'config':{" + field + ",'override_params':{'model':'a'}}");
      assertThat(top.field()).startsWith("/config/");
      assertThat(top.reason()).contains("no provider credentials").doesNotContain("sk-secret-2");
      RequestShapeException nested =
          refused("'config':{" + strategy("fallback", target("a", field)) + "}");
      assertThat(nested.field()).startsWith("/config/targets/0/");
    }
    RequestShapeException header =
        refused("'config':{'override_params':{'model':'a','Authorization':'Bearer sk-x'}}");
    assertThat(header.field()).isEqualTo("/config/override_params/Authorization");
    assertThat(header.reason()).doesNotContain("sk-x");
  }

  @Test
  void aCustomHostIsRefused() {
    RequestShapeException e =
        refused("'config':{" + strategy("fallback", target("a", "'custom_host':'http://x'")) + "}");
    assertThat(e.field()).isEqualTo("/config/targets/0/custom_host");
    assertThat(e.reason()).contains("cannot choose the endpoint");
  }

  @Test
  void retryStatusCodesAndFallbackStatusCodesAreRefused() {
    assertThat(refused("'config':{'retry':{'attempts':2,'on_status_codes':[429]}}").field())
        .isEqualTo("/config/retry/on_status_codes");
    assertThat(
            refused(
                    "'config':{'strategy':{'mode':'fallback','on_status_codes':[429]},'targets':["
                        + target("a")
                        + "]}")
                .field())
        .isEqualTo("/config/strategy/on_status_codes");
  }

  @Test
  void aRetryOrTimeoutOnATargetIsRefused() {
    assertThat(
            refused(
                    "'config':{"
                        + strategy("fallback", target("a", "'retry':{'attempts':1}"))
                        + "}")
                .field())
        .isEqualTo("/config/targets/0/retry");
    assertThat(
            refused("'config':{" + strategy("fallback", target("a", "'request_timeout':10")) + "}")
                .field())
        .isEqualTo("/config/targets/0/request_timeout");
  }

  @Test
  void otherModesAndShapesAreNamed() {
    assertThat(
            refused("'config':{'strategy':{'mode':'conditional'},'targets':[" + target("a") + "]}")
                .reason())
        .contains("conditional routing");
    assertThat(
            refused("'config':{'strategy':{'mode':'single'},'targets':[" + target("a") + "]}")
                .field())
        .isEqualTo("/config/strategy/mode");
    assertThat(refused("'config':{'targets':[" + target("a") + "]}").field())
        .isEqualTo("/config/strategy");
    assertThat(refused("'config':{'strategy':{'mode':'fallback'}}").field())
        .isEqualTo("/config/targets");
    assertThat(refused("'config':{'cache':{'mode':'simple'}}").field()).isEqualTo("/config/cache");
    assertThat(refused("'config':'pc-abc123'").reason())
        .contains("inline")
        .doesNotContain("pc-abc123");
    assertThat(
            refused("'config':{" + strategy("loadbalance", target("a", "'weight':'x'")) + "}")
                .field())
        .isEqualTo("/config/targets/0/weight");
  }

  @Test
  void aConfigModelBesideANativeModelIsRefusedNamingBoth() {
    RequestShapeException e = refused("'model':'chat','config':{'override_params':{'model':'a'}}");
    assertThat(e.field()).isEqualTo("/config");
    assertThat(e.reason()).contains("/model");
  }

  @Test
  void aConfigBesideAnOrqLoadBalancerIsRefusedNamingBoth() {
    RequestShapeException e =
        refused(
            "'orq':{'load_balancer':[{'model':'x','weight':1}]},'config':{"
                + strategy("loadbalance", target("a"))
                + "}");
    assertThat(e.field()).isEqualTo("/config");
    assertThat(e.reason()).contains("/orq/load_balancer");
  }
}
