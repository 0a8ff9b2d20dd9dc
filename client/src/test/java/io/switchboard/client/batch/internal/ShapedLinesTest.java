package io.switchboard.client.batch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.batch.BatchFormat;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.WeightedModel;
import io.switchboard.schemas.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Batch lines whose body (or params) uses another gateway's request shape route as the router
 * would.
 */
class ShapedLinesTest {
  static final Map<String, String> META = Map.of("custom_id", "c1");

  /**
   * An OpenAI batch line whose body has a user message, {@code model} unless null, and {@code
   * fields}.
   */
  static String openAi(String model, String fields) {
    return ("{'custom_id':'c1','method':'POST','url':'/v1/chat/completions','body':{"
            + (model == null ? "" : "'model':'" + model + "',")
            + "'messages':[{'role':'user','content':'hi'}],"
            + fields
            + "}}")
        .replace('\'', '"');
  }

  static RouteRequest request(String line, String model, String group) throws InvalidLineException {
    return LineFormat.of(BatchFormat.OPENAI, model != null || group != null)
        .parse(line)
        .request("b:c1", model, group, META);
  }

  @Test
  void aLineWithoutAShapeIsRoutedAsBefore() throws Exception {
    RouteRequest r = request(openAi("chat", "'max_tokens':5"), null, null);
    assertThat(r)
        .isEqualTo(
            new RouteRequest(
                "b:c1",
                "chat",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                META,
                null,
                (ObjectNode)
                    Json.parse(
                        "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5}")));
    assertThat(request(openAi("chat", "'max_tokens':5"), null, "team").loadBalanceGroup())
        .isEqualTo("team");
  }

  @Test
  void anOrqObjectInTheBodyRoutesTheLineAndLeavesTheBody() throws Exception {
    RouteRequest r =
        request(
            openAi(
                "gpt-4o",
                "'orq':{'load_balancer':[{'model':'a','weight':0.7},{'model':'b',"
                    + "'weight':0.3}],'retries':{'count':2},'fallbacks':[{'model':'c'}]}"),
            null,
            null);
    assertThat(r.loadBalancer())
        .containsExactly(new WeightedModel("a", 0.7), new WeightedModel("b", 0.3));
    assertThat(r.numRetries()).isEqualTo(2);
    assertThat(r.fallbacks()).containsExactly("c");
    assertThat(r.model()).as("body.model does not outrank the line's own routing").isNull();
    assertThat(r.body().has("orq")).isFalse();
    assertThat(r.metadata()).isEqualTo(META);
  }

  @Test
  void aKeywordsAiGroupOutranksBodyModel() throws Exception {
    RouteRequest r =
        request(openAi("gpt-4o", "'load_balance_group':{'group_id':'team'}"), null, null);
    assertThat(r.loadBalanceGroup()).isEqualTo("team");
    assertThat(r.model()).isNull();
    assertThat(r.body().get("model").asText()).isEqualTo("gpt-4o");
  }

  @Test
  void fallbackModelsAloneKeepBodyModelOrTheFlags() throws Exception {
    RouteRequest own = request(openAi("chat", "'fallback_models':['backup']"), null, null);
    assertThat(own.model()).isEqualTo("chat");
    assertThat(own.fallbacks()).containsExactly("backup");
    RouteRequest flagged = request(openAi(null, "'fallback_models':['backup']"), "other", null);
    assertThat(flagged.model()).isEqualTo("other");
    assertThat(flagged.fallbacks()).containsExactly("backup");
  }

  @Test
  void aPortkeyConfigNamesTheModelAndSetsSamplingParams() throws Exception {
    BatchLine line =
        LineFormat.of(BatchFormat.OPENAI, false)
            .parse(
                openAi(
                    null,
                    "'config':{'strategy':{'mode':"
                        + "'fallback'},'override_params':{'temperature':0},'targets':[{'override_params':{'model':'a'}},"
                        + "{'override_params':{'model':'b'}}]}"));
    assertThat(line.model()).isEqualTo("a");
    RouteRequest r = line.request("b:c1", null, null, META);
    assertThat(r.model()).isEqualTo("a");
    assertThat(r.fallbacks()).containsExactly("b");
    assertThat(r.body().get("temperature").asInt()).isZero();
    assertThat(r.body().has("config")).isFalse();
  }

  @Test
  void anthropicParamsCarryShapesToo() throws Exception {
    BatchLine line =
        LineFormat.of(BatchFormat.ANTHROPIC, false)
            .parse(
                ("{'custom_id':'c1','params':{'max_tokens':5,"
                        + "'messages':[{'role':'user','content':'hi'}],'fallback_models':['b'],'load_balance_group':{'models':"
                        + "[{'model':'a'}]}}}")
                    .replace('\'', '"'));
    RouteRequest r = line.request("b:c1", null, null, META);
    assertThat(r.loadBalancer()).containsExactly(new WeightedModel("a", null));
    assertThat(r.fallbacks()).containsExactly("b");
    assertThat(r.body().get("max_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void aShapeWithoutAnExactFormMakesTheLineInvalidNamingTheField() {
    assertThatThrownBy(
            () ->
                request(
                    openAi("chat", "'orq':{'retries':{'count':1,'on_codes':[429]}}"), null, null))
        .isInstanceOf(InvalidLineException.class)
        .hasMessageStartingWith("body.orq.retries.on_codes: ");
    assertThatThrownBy(
            () ->
                request(
                    openAi(
                        "chat",
                        "'config':{'strategy':{'mode':'fallback'},'targets':["
                            + "{'override_params':{'model':'a'}},{'api_key':'sk-line-secret'}]}"),
                    null,
                    null))
        .isInstanceOf(InvalidLineException.class)
        .hasMessageStartingWith("body.config.targets[1].api_key: ")
        .message()
        .doesNotContain("sk-line-secret");
  }

  @Test
  void aMappedValueOutsideTheEnvelopesRangeMakesTheLineInvalid() {
    assertThatThrownBy(() -> request(openAi("chat", "'orq':{'retries':{'count':21}}"), null, null))
        .isInstanceOf(InvalidLineException.class)
        .hasMessageContaining("body.orq")
        .hasMessageContaining("/num_retries");
  }

  @Test
  void aLineThatChoosesItsCandidatesRefusesTheFlagsThatDoToo() {
    assertThatThrownBy(
            () -> request(openAi(null, "'load_balance_group':{'group_id':'team'}"), "chat", null))
        .isInstanceOf(InvalidLineException.class)
        .hasMessageContaining("body.load_balance_group")
        .hasMessageContaining("--model or --group");
  }

  @Test
  void aLineWithoutCandidatesStillNeedsAModel() {
    assertThatThrownBy(() -> request(openAi(null, "'fallback_models':['b']"), null, null))
        .isInstanceOf(InvalidLineException.class)
        .hasMessageContaining("body.model is missing");
  }

  @Test
  void pointersReadAsDottedPaths() {
    assertThat(LineFormat.dotted("body", "/config/targets/10/override_params/a~1b"))
        .isEqualTo("body.config.targets[10].override_params.a/b");
  }
}
