package io.switchboard.schemas.request;

import static io.switchboard.schemas.request.Shapes.assertNative;
import static io.switchboard.schemas.request.Shapes.refused;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeywordsAiShapeTest {
  @Test
  void aGroupIdNamesTheConfiguredGroup() throws Exception {
    assertNative(
        "'load_balance_group':{'group_id':'chat-default'},'num_retries':2",
        "'load_balance_group':'chat-default','num_retries':2");
  }

  @Test
  void listedModelsBecomeTheInlineLoadBalancerInsteadOfTheGroup() throws Exception {
    assertNative(
        "'load_balance_group':{'group_id':'g','models':[{'model':'gpt-4o','weight':3},{'model':'claude'}]}",
        "'load_balancer':[{'model':'gpt-4o','weight':3.0},{'model':'claude'}]");
  }

  @Test
  void modelsAloneNeedNoGroupId() throws Exception {
    assertNative(
        "'load_balance_group':{'models':[{'model':'gpt-4o','weight':0.5}]}",
        "'load_balancer':[{'model':'gpt-4o','weight':0.5}]");
  }

  @Test
  void fallbackModelsBecomeTheFallbackChain() throws Exception {
    assertNative(
        "'model':'chat','fallback_models':['claude','solo']",
        "'model':'chat','fallbacks':['claude','solo']");
  }

  @Test
  void aNativeGroupAndModelStayAsTheyAre() throws Exception {
    var in = Shapes.envelope("'model':'chat','load_balance_group':'g'");
    assertThat(RequestShapes.toNative(in)).isSameAs(in);
  }

  @Test
  void aGroupWithNeitherIdNorModelsIsRefused() {
    assertThat(refused("'load_balance_group':{}").field())
        .isEqualTo("/load_balance_group/group_id");
  }

  @Test
  void badMembersAreNamedByTheirPointer() {
    assertThat(
            refused(
                    "'load_balance_group':{'group_id':'g','models':[{'model':'a'},{'model':'b','weight':-1}]}")
                .field())
        .isEqualTo("/load_balance_group/models/1/weight");
    assertThat(refused("'load_balance_group':{'group_id':'g','models':[{'weight':1}]}").field())
        .isEqualTo("/load_balance_group/models/0/model");
    assertThat(refused("'load_balance_group':{'group_id':'g','models':[]}").field())
        .isEqualTo("/load_balance_group/models");
    assertThat(refused("'load_balance_group':{'group_id':7}").field())
        .isEqualTo("/load_balance_group/group_id");
    assertThat(refused("'fallback_models':['a',3]").field()).isEqualTo("/fallback_models/1");
  }

  @Test
  void credentialsOfAMemberAreRefusedWithoutQuotingThem() {
    RequestShapeException e =
        refused(
            "'load_balance_group':{'group_id':'g','models':[{'model':'a','weight':1,"
                + "'credentials':{'api_key':'sk-secret-1'}}]}");
    assertThat(e.field()).isEqualTo("/load_balance_group/models/0/credentials");
    assertThat(e.reason()).contains("no provider credentials").doesNotContain("sk-secret-1");
  }

  @Test
  void anUnknownGroupFieldIsNamed() {
    RequestShapeException e = refused("'load_balance_group':{'group_id':'g','strategy':'x'}");
    assertThat(e.field()).isEqualTo("/load_balance_group/strategy");
    assertThat(e.reason()).contains("supported: group_id, models");
  }

  @Test
  void fallbackModelsBesideNativeFallbacksAreRefusedNamingBoth() {
    RequestShapeException e = refused("'fallbacks':['x'],'fallback_models':['y']");
    assertThat(e.field()).isEqualTo("/fallback_models");
    assertThat(e.reason()).contains("/fallbacks");
  }

  @Test
  void listedModelsBesideANativeLoadBalancerAreRefusedNamingBoth() {
    RequestShapeException e =
        refused("'load_balancer':[{'model':'x'}],'load_balance_group':{'models':[{'model':'y'}]}");
    assertThat(e.field()).isEqualTo("/load_balance_group/models");
    assertThat(e.reason()).contains("/load_balancer");
  }
}
