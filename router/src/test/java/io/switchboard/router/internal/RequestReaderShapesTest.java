package io.switchboard.router.internal;

import static io.switchboard.router.internal.RequestReaderTest.BODY;
import static io.switchboard.router.internal.RequestReaderTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.WeightedModel;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import org.junit.jupiter.api.Test;

/** Requests in other gateways' shapes are read into the native envelope before it is validated. */
class RequestReaderShapesTest {
  static final SwitchboardConfig CONFIG =
      new ConfigLoader(k -> null)
          .parse(
              """
      model_list: [{model_name: chat}]
      reply_topics: [switchboard.replies, "team.*"]
      """,
              "test");

  final RequestReader reader = new RequestReader(CONFIG);

  RequestReader.Read read(String fields) {
    return reader.read(utf8(("{'id':'s1'," + fields + ",").replace('\'', '"') + BODY + "}"));
  }

  RouteRequest request(String fields) {
    RequestReader.Read read = read(fields);
    assertThat(read.rejection()).as("not rejected").isNull();
    return read.request();
  }

  Rejection rejected(String fields) {
    RequestReader.Read read = read(fields);
    assertThat(read.request()).as("not routed").isNull();
    assertThat(read.rejection().requestId()).isEqualTo("s1");
    assertThat(read.rejection().deadLetter()).as("answered, not dead-lettered").isFalse();
    assertThat(read.rejection().error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    return read.rejection();
  }

  @Test
  void keywordsAiGroupAndFallbackModelsAreRead() {
    RouteRequest r = request("'load_balance_group':{'group_id':'team'},'fallback_models':['chat']");
    assertThat(r.loadBalanceGroup()).isEqualTo("team");
    assertThat(r.fallbacks()).containsExactly("chat");
    RouteRequest inline =
        request("'load_balance_group':{'group_id':'team','models':[{'model':'chat','weight':2}]}");
    assertThat(inline.loadBalancer()).containsExactly(new WeightedModel("chat", 2.0));
    assertThat(inline.loadBalanceGroup()).isNull();
  }

  @Test
  void theOrqObjectIsRead() {
    RouteRequest r =
        request(
            "'orq':{'load_balancer':[{'model':'chat','weight':0.7}],'retries':{'count':2},"
                + "'timeout':{'call_timeout':9000},'fallbacks':[{'model':'chat'}]}");
    assertThat(r.loadBalancer()).containsExactly(new WeightedModel("chat", 0.7));
    assertThat(r.numRetries()).isEqualTo(2);
    assertThat(r.timeoutMs()).isEqualTo(9000L);
    assertThat(r.fallbacks()).containsExactly("chat");
  }

  @Test
  void aPortkeyConfigIsReadWithItsSamplingParamsInTheBody() {
    RouteRequest r =
        request(
            "'config':{'strategy':{'mode':'fallback'},'override_params':{'temperature':0.3},"
                + "'targets':[{'override_params':{'model':'chat'}},{'override_params':{'model':'other'}}]}");
    assertThat(r.model()).isEqualTo("chat");
    assertThat(r.fallbacks()).containsExactly("other");
    assertThat(r.body().get("temperature").asDouble()).isEqualTo(0.3);
  }

  @Test
  void aShapeThatCannotBeExpressedIsAnsweredOnTheRequestsReplyTopicNamingTheField() {
    RequestReader.Read read =
        read("'reply_to':'team.replies','orq':{'retries':{'count':2,'on_codes':[429]}}");
    assertThat(read.replyTopic()).isEqualTo("team.replies");
    Rejection r = rejected("'orq':{'retries':{'count':2,'on_codes':[429]}}");
    assertThat(r.error().field()).isEqualTo("/orq/retries/on_codes");
    assertThat(r.error().message()).startsWith("/orq/retries/on_codes: ");
  }

  @Test
  void aCredentialIsRefusedAndNeverQuoted() {
    Rejection r =
        rejected("'config':{'virtual_key':'vk-secret-9','override_params':{'model':'chat'}}");
    assertThat(r.error().field()).isEqualTo("/config/virtual_key");
    assertThat(r.error().toString()).doesNotContain("vk-secret-9");
  }

  @Test
  void aShapeFieldBesideItsNativeFieldIsRefusedNamingBoth() {
    Rejection r = rejected("'fallbacks':['chat'],'orq':{'fallbacks':[{'model':'chat'}]}");
    assertThat(r.error().field()).isEqualTo("/orq/fallbacks");
    assertThat(r.error().message()).contains("/fallbacks");
  }

  @Test
  void aMappedValueOutsideTheNativeRangeIsNamedByItsNativeField() {
    // orq.ai allows at most 5 retries and the envelope 20: the schema names the field the value
    // went to.
    Rejection r = rejected("'orq':{'retries':{'count':21}}");
    assertThat(r.error().field()).isEqualTo("/num_retries");
  }

  @Test
  void anUnknownFieldIsStillNamed() {
    assertThat(rejected("'portkey':{'mode':'fallback'}").error().field()).isEqualTo("/portkey");
  }
}
