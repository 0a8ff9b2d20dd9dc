package io.switchboard.schemas.request;

import static io.switchboard.schemas.request.Shapes.assertNative;
import static io.switchboard.schemas.request.Shapes.refused;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OrqShapeTest {
  @Test
  void everyOrqFieldMapsOntoItsNativeField() throws Exception {
    assertNative(
        "'orq':{'load_balancer':[{'model':'gpt-4o','weight':0.7},{'model':'claude','weight':0.3}],"
            + "'retries':{'count':3},'timeout':{'call_timeout':15000},'fallbacks':[{'model':'solo'},{'model':'x'}]}",
        "'load_balancer':[{'model':'gpt-4o','weight':0.7},{'model':'claude','weight':0.3}],'num_retries':3,"
            + "'timeout_ms':15000,'fallbacks':['solo','x']");
  }

  @Test
  void aWeightBasedBalancerWithoutAWeightUsesOrqsDefault() throws Exception {
    assertNative(
        "'orq':{'load_balancer':{'type':'weight_based','models':[{'model':'a','weight':1},{'model':'b'}]}}",
        "'load_balancer':[{'model':'a','weight':1.0},{'model':'b','weight':0.5}]");
  }

  @Test
  void aRoundRobinBalancerGivesEveryModelTheSameWeight() throws Exception {
    assertNative(
        "'orq':{'load_balancer':{'type':'round_robin','models':[{'model':'a'},{'model':'b'}]}}",
        "'load_balancer':[{'model':'a','weight':1.0},{'model':'b','weight':1.0}]");
    assertThat(
            refused(
                    "'orq':{'load_balancer':{'type':'round_robin','models':[{'model':'a','weight':2}]}}")
                .field())
        .isEqualTo("/orq/load_balancer/models/0/weight");
  }

  @Test
  void anUnknownBalancerTypeIsNamed() {
    assertThat(
            refused("'orq':{'load_balancer':{'type':'least_latency','models':[{'model':'a'}]}}")
                .field())
        .isEqualTo("/orq/load_balancer/type");
  }

  @Test
  void retryStatusCodesAreRefusedBecauseTheEnvelopeHasNone() {
    RequestShapeException e = refused("'orq':{'retries':{'count':2,'on_codes':[429,503]}}");
    assertThat(e.field()).isEqualTo("/orq/retries/on_codes");
    assertThat(e.reason()).contains("retry_on_status_codes");
  }

  @Test
  void badValuesAreNamedByTheirPointer() {
    assertThat(refused("'orq':{'retries':{'count':-1}}").field()).isEqualTo("/orq/retries/count");
    assertThat(refused("'orq':{'retries':{}}").field()).isEqualTo("/orq/retries/count");
    assertThat(refused("'orq':{'timeout':{'call_timeout':0}}").field())
        .isEqualTo("/orq/timeout/call_timeout");
    assertThat(refused("'orq':{'timeout':{'call_timeout':1.5}}").field())
        .isEqualTo("/orq/timeout/call_timeout");
    assertThat(refused("'orq':{'fallbacks':[{'model':'a'},'b']}").field())
        .isEqualTo("/orq/fallbacks/1");
    assertThat(refused("'orq':{'fallbacks':[{'model':'a','weight':1}]}").field())
        .isEqualTo("/orq/fallbacks/0/weight");
    assertThat(refused("'orq':[]").field()).isEqualTo("/orq");
  }

  @Test
  void anUnknownOrqFieldIsNamedWithWhatIsSupported() {
    RequestShapeException e = refused("'orq':{'cache':{'ttl':60}}");
    assertThat(e.field()).isEqualTo("/orq/cache");
    assertThat(e.reason()).contains("supported: fallbacks, load_balancer, retries, timeout");
  }

  @Test
  void orqFallbacksBesideNativeFallbacksAreRefusedNamingBoth() {
    RequestShapeException e = refused("'fallbacks':['x'],'orq':{'fallbacks':[{'model':'y'}]}");
    assertThat(e.field()).isEqualTo("/orq/fallbacks");
    assertThat(e.reason()).contains("/fallbacks");
  }

  @Test
  void orqTimeoutBesideANativeTimeoutIsRefused() {
    assertThat(refused("'timeout_ms':100,'orq':{'timeout':{'call_timeout':200}}").reason())
        .contains("/timeout_ms");
  }
}
