package io.switchboard.worker.retry;

import static io.switchboard.schemas.Outcome.CONTEXT_WINDOW;
import static io.switchboard.schemas.Outcome.FAIL;
import static io.switchboard.schemas.Outcome.FALLBACK;
import static io.switchboard.schemas.Outcome.RETRY;
import static io.switchboard.schemas.Outcome.SUCCESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.schemas.Outcome;
import io.switchboard.worker.provider.ProviderResponse;
import io.switchboard.worker.provider.TransportFailure.Kind;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OutcomeClassifierTest {

  /** case, response, outcome with retries left, outcome with retries used up, fault. */
  static Stream<Arguments> table() {
    return Stream.of(
        row("2xx completion", Responses.completion(), SUCCESS, SUCCESS, Fault.NONE),
        row(
            "201 completion",
            ProviderResponse.http(
                201, null, Responses.completion().body(), null, Responses.completion().latency()),
            SUCCESS,
            SUCCESS,
            Fault.NONE),
        row(
            "2xx garbage",
            Responses.body(200, "{\"unexpected\":true}"),
            RETRY,
            FALLBACK,
            Fault.TRANSIENT),
        row(
            "2xx empty choices",
            Responses.body(200, "{\"choices\":[]}"),
            RETRY,
            FALLBACK,
            Fault.TRANSIENT),
        row(
            "2xx no body",
            ProviderResponse.http(200, null, null, null, Responses.completion().latency()),
            RETRY,
            FALLBACK,
            Fault.TRANSIENT),
        row("408", Responses.status(408), RETRY, FALLBACK, Fault.TRANSIENT),
        row("409", Responses.status(409), RETRY, FALLBACK, Fault.TRANSIENT),
        row("429", Responses.status(429), RETRY, FALLBACK, Fault.TRANSIENT),
        row("500", Responses.status(500), RETRY, FALLBACK, Fault.TRANSIENT),
        row("502", Responses.status(502), RETRY, FALLBACK, Fault.TRANSIENT),
        row("503", Responses.status(503), RETRY, FALLBACK, Fault.TRANSIENT),
        row("529 overloaded", Responses.status(529), RETRY, FALLBACK, Fault.TRANSIENT),
        row("timeout", Responses.failure(Kind.TIMEOUT), RETRY, FALLBACK, Fault.TRANSIENT),
        row("connect", Responses.failure(Kind.CONNECT), RETRY, FALLBACK, Fault.TRANSIENT),
        row("reset", Responses.failure(Kind.CONNECTION_RESET), RETRY, FALLBACK, Fault.TRANSIENT),
        row("io", Responses.failure(Kind.IO), RETRY, FALLBACK, Fault.TRANSIENT),
        row("cancelled", Responses.failure(Kind.CANCELLED), RETRY, FALLBACK, Fault.TRANSIENT),
        row(
            "missing key",
            Responses.failure(Kind.NOT_CONFIGURED),
            FALLBACK,
            FALLBACK,
            Fault.UNUSABLE),
        row(
            "openai context",
            Responses.error(
                400,
                "invalid_request_error",
                "context_length_exceeded",
                "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens."),
            CONTEXT_WINDOW,
            CONTEXT_WINDOW,
            Fault.NONE),
        row(
            "azure context",
            Responses.error(
                400,
                null,
                "context_length_exceeded",
                "This model's maximum context length is 4096 tokens. Please reduce the length of the messages."),
            CONTEXT_WINDOW,
            CONTEXT_WINDOW,
            Fault.NONE),
        row(
            "anthropic context",
            Responses.error(
                400,
                "invalid_request_error",
                null,
                "prompt is too long: 210000 tokens > 200000 maximum"),
            CONTEXT_WINDOW,
            CONTEXT_WINDOW,
            Fault.NONE),
        row(
            "vllm context",
            Responses.error(
                400,
                "BadRequestError",
                null,
                "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens"),
            CONTEXT_WINDOW,
            CONTEXT_WINDOW,
            Fault.NONE),
        row(
            "413 context",
            Responses.error(413, "request_too_large", null, "Input exceeds the context window"),
            CONTEXT_WINDOW,
            CONTEXT_WINDOW,
            Fault.NONE),
        row(
            "generic context window exceeded",
            Responses.error(400, null, null, "context window exceeded"),
            CONTEXT_WINDOW,
            CONTEXT_WINDOW,
            Fault.NONE),
        row(
            "413 other",
            Responses.error(413, "request_too_large", null, "Request exceeds the maximum size"),
            FAIL,
            FAIL,
            Fault.NONE),
        row("401", Responses.status(401), FALLBACK, FALLBACK, Fault.UNUSABLE),
        row("403", Responses.status(403), FALLBACK, FALLBACK, Fault.UNUSABLE),
        row("404", Responses.status(404), FALLBACK, FALLBACK, Fault.UNUSABLE),
        row("301", Responses.status(301), FALLBACK, FALLBACK, Fault.UNUSABLE),
        row(
            "400 other",
            Responses.error(400, "invalid_request_error", null, "temperature must be <= 2"),
            FAIL,
            FAIL,
            Fault.NONE),
        row(
            "400 content filter",
            Responses.error(400, null, "content_filter", "filtered"),
            FAIL,
            FAIL,
            Fault.NONE),
        row(
            "2xx content filter",
            Responses.body(200, CONTENT_FILTERED),
            SUCCESS,
            SUCCESS,
            Fault.NONE),
        row("422", Responses.status(422), FAIL, FAIL, Fault.NONE));
  }

  private static Arguments row(
      String name, ProviderResponse response, Outcome retriesLeft, Outcome usedUp, Fault fault) {
    return Arguments.of(name, response, retriesLeft, usedUp, fault);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void classifiesEveryCase(
      String name, ProviderResponse response, Outcome retriesLeft, Outcome usedUp, Fault fault) {
    assertThat(OutcomeClassifier.classify(response, 0, 2))
        .as("first call, 2 retries")
        .isEqualTo(retriesLeft);
    assertThat(OutcomeClassifier.classify(response, 1, 2))
        .as("first retry of 2")
        .isEqualTo(retriesLeft);
    assertThat(OutcomeClassifier.classify(response, 2, 2)).as("last retry").isEqualTo(usedUp);
    assertThat(OutcomeClassifier.classify(response, 0, 0)).as("no retries").isEqualTo(usedUp);
    assertThat(OutcomeClassifier.fault(response)).isEqualTo(fault);
  }

  static final String CONTENT_FILTERED =
      """
      {"id":"c2","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":""},
       "finish_reason":"content_filter"}]}""";

  /** case, response, error class (null: none). */
  static Stream<Arguments> classes() {
    return Stream.of(
        Arguments.of("completion", Responses.completion(), null),
        Arguments.of("2xx garbage", Responses.body(200, "{\"unexpected\":true}"), null),
        Arguments.of("429", Responses.status(429), ErrorClass.RATE_LIMIT),
        Arguments.of("408", Responses.status(408), ErrorClass.TIMEOUT),
        Arguments.of("timeout", Responses.failure(Kind.TIMEOUT), ErrorClass.TIMEOUT),
        Arguments.of("500", Responses.status(500), ErrorClass.SERVER_ERROR),
        Arguments.of("529", Responses.status(529), ErrorClass.SERVER_ERROR),
        Arguments.of("connect", Responses.failure(Kind.CONNECT), ErrorClass.CONNECTION_ERROR),
        Arguments.of(
            "reset", Responses.failure(Kind.CONNECTION_RESET), ErrorClass.CONNECTION_ERROR),
        Arguments.of("io", Responses.failure(Kind.IO), ErrorClass.CONNECTION_ERROR),
        Arguments.of("cancelled", Responses.failure(Kind.CANCELLED), null),
        Arguments.of("missing key", Responses.failure(Kind.NOT_CONFIGURED), null),
        Arguments.of("401", Responses.status(401), ErrorClass.AUTHENTICATION),
        Arguments.of("403", Responses.status(403), ErrorClass.AUTHENTICATION),
        Arguments.of(
            "400",
            Responses.error(400, "invalid_request_error", null, "temperature must be <= 2"),
            ErrorClass.BAD_REQUEST),
        Arguments.of("404", Responses.status(404), ErrorClass.BAD_REQUEST),
        Arguments.of("422", Responses.status(422), ErrorClass.BAD_REQUEST),
        Arguments.of("409", Responses.status(409), null),
        Arguments.of(
            "context window",
            Responses.error(400, null, "context_length_exceeded", "too long"),
            null),
        Arguments.of(
            "azure content filter",
            Responses.error(
                400,
                null,
                "content_filter",
                "The response was "
                    + "filtered due to the prompt triggering Azure OpenAI's content management policy."),
            ErrorClass.CONTENT_POLICY),
        Arguments.of(
            "openai policy code",
            Responses.error(400, "invalid_request_error", "content_policy_violation", "rejected"),
            ErrorClass.CONTENT_POLICY),
        Arguments.of(
            "safety system message",
            Responses.error(
                400,
                "invalid_request_error",
                null,
                "Your request was rejected as a result of our safety system."),
            ErrorClass.CONTENT_POLICY),
        Arguments.of(
            "finish_reason content_filter",
            Responses.body(200, CONTENT_FILTERED),
            ErrorClass.CONTENT_POLICY),
        Arguments.of(
            "5xx naming a policy",
            Responses.error(500, null, null, "content filter service down"),
            ErrorClass.SERVER_ERROR));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classes")
  void namesTheErrorClassOfEveryCase(String name, ProviderResponse response, ErrorClass expected) {
    assertThat(OutcomeClassifier.errorClass(response)).isEqualTo(expected);
    assertThat(OutcomeClassifier.isContentPolicyRefusal(response))
        .isEqualTo(expected == ErrorClass.CONTENT_POLICY);
  }

  @Test
  void negativeAttemptNumbersAreRefused() {
    assertThatThrownBy(() -> OutcomeClassifier.classify(Responses.completion(), -1, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }
}
