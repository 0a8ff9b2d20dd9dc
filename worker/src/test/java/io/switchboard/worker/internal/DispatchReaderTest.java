package io.switchboard.worker.internal;

import static io.switchboard.worker.internal.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.DeadLetter;
import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.Outcome;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.worker.retry.RetryBudget;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DispatchReaderTest {
  static final SwitchboardConfig CONFIG = config("router_settings: {num_retries: 4}\n");
  static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  final DispatchReader reader = new DispatchReader(CONFIG, Fixtures.outputs(CONFIG));

  static ConsumerRecord<String, byte[]> record(long offset, byte[] value) {
    return new ConsumerRecord<>(Fixtures.DISPATCH, 3, offset, "key", value);
  }

  @Test
  void aDispatchForAKnownDeploymentIsAJobWithItsRetryBudget() {
    Dispatch dispatch = Fixtures.dispatch("r1", null, 10);
    DispatchReader.Read read = reader.read(record(42, Json.toBytes(dispatch)), NOW);
    assertThat(read)
        .isInstanceOfSatisfying(
            DispatchReader.ToCall.class,
            call -> {
              assertThat(call.job().offset()).isEqualTo(42);
              assertThat(call.job().id()).isEqualTo("r1");
              assertThat(call.job().deployment().deploymentId()).isEqualTo("fast");
              assertThat(call.job().retryBudget().maxRetries())
                  .as("the deployment's max_retries")
                  .isEqualTo(1);
              assertThat(call.job().retryBudget()).isEqualTo(RetryBudget.defaults(1));
              assertThat(call.job().retry()).isZero();
            });
  }

  @Test
  void anUnreadableRecordIsDeadLetteredWithWhereItCameFrom() {
    DispatchReader.Read read =
        reader.read(record(7, "{not json".getBytes(StandardCharsets.UTF_8)), NOW);
    assertThat(read)
        .isInstanceOfSatisfying(
            DispatchReader.Answered.class,
            answered -> {
              assertThat(answered.answer().topic()).isEqualTo("switchboard.dead-letter");
              DeadLetter letter = Json.read(answered.answer().value(), DeadLetter.class);
              assertThat(letter.message())
                  .contains(Fixtures.DISPATCH + "/3@7", "is not a readable dispatch");
              assertThat(letter.sourceTopic()).isEqualTo(Fixtures.DISPATCH);
              assertThat(letter.partition()).isEqualTo(3);
              assertThat(letter.offset()).isEqualTo(7);
            });
    assertThat(reader.read(record(8, null), NOW))
        .as("no value")
        .isInstanceOf(DispatchReader.Answered.class);
  }

  @Test
  void aDispatchForADeploymentThisWorkerDoesNotKnowIsRejected() {
    Instant at = NOW.minusSeconds(1);
    Dispatch elsewhere =
        new Dispatch(
            RouteRequest.of("r2", "other", Fixtures.body()),
            "other",
            "other",
            0,
            10,
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            null,
            at,
            at);
    DispatchReader.Read read = reader.read(record(9, Json.toBytes(elsewhere)), NOW);
    assertThat(read)
        .isInstanceOfSatisfying(
            DispatchReader.Answered.class,
            answered -> {
              RouteReply reply = Fixtures.reply(answered.answer());
              assertThat(reply.status()).isEqualTo(ReplyStatus.ERROR);
              assertThat(reply.error().code()).isEqualTo(ErrorCode.UNKNOWN_MODEL);
              assertThat(reply.error().message()).contains("'other'", "model_list");
            });
  }

  /** A dispatch routed by config version {@code version} to deployment 'other'. */
  static Dispatch toOther(Long version) {
    Instant at = NOW.minusSeconds(1);
    return new Dispatch(
        RouteRequest.of("r3", "other", Fixtures.body()),
        "other",
        "other",
        0,
        10,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        null,
        at,
        at,
        version);
  }

  @Test
  void aDispatchForADeploymentRemovedSinceItWasRoutedGoesBackToTheRouter() {
    DispatchReader atTwo = new DispatchReader(CONFIG, 2, Fixtures.outputs(CONFIG));
    assertThat(atTwo.read(record(10, Json.toBytes(toOther(1L))), NOW))
        .isInstanceOfSatisfying(
            DispatchReader.Answered.class,
            answered -> {
              assertThat(answered.answer().topic()).isEqualTo("switchboard.fallbacks");
              Dispatch back = Json.read(answered.answer().value(), Dispatch.class);
              assertThat(back.handoff().reason()).isEqualTo(Outcome.FALLBACK);
              assertThat(back.handoff().detail()).contains("'other'", "config version 2");
              assertThat(back.configVersion()).isEqualTo(1L);
            });
  }

  @Test
  void aDispatchRoutedByANewerVersionWaitsForItOnceThenIsRejected() {
    DispatchReader atOne = new DispatchReader(CONFIG, 1, Fixtures.outputs(CONFIG));
    ConsumerRecord<String, byte[]> ahead = record(11, Json.toBytes(toOther(2L)));
    assertThat(atOne.read(ahead, NOW)).isEqualTo(new DispatchReader.Ahead(2));
    assertThat(atOne.readCaughtUp(ahead, NOW))
        .isInstanceOfSatisfying(
            DispatchReader.Answered.class,
            answered ->
                assertThat(Fixtures.reply(answered.answer()).error().code())
                    .isEqualTo(ErrorCode.UNKNOWN_MODEL));
  }

  @Test
  void aReplyCarriesTheConfigVersionOfItsDispatch() {
    DispatchReader atOne = new DispatchReader(CONFIG, 1, Fixtures.outputs(CONFIG));
    DispatchReader.Read read = atOne.read(record(12, Json.toBytes(toOther(1L))), NOW);
    assertThat(Fixtures.reply(((DispatchReader.Answered) read).answer()).configVersion())
        .isEqualTo(1L);
  }
}
