package io.switchboard.client.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.client.InvalidOptionException;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class BatchOptionsTest {
  static final Path IN = Path.of("in.jsonl");
  static final Path OUT = Path.of("out.jsonl");

  static AbstractThrowableAssert<?, ?> rejects(BatchOptions.Builder builder, String field) {
    return assertThatThrownBy(builder::build)
        .isInstanceOf(InvalidOptionException.class)
        .satisfies(e -> assertThat(((InvalidOptionException) e).field()).isEqualTo(field))
        .hasMessageNotContaining("--");
  }

  @Test
  void aBadFieldIsNamedWithItsValueAndNoCommandLineFlag() {
    rejects(BatchOptions.builder(IN, OUT).maxInFlight(0), "maxInFlight")
        .hasMessage("maxInFlight must be at least 1, was 0");
    rejects(BatchOptions.builder(IN, OUT).requestTimeout(Duration.ZERO), "requestTimeout")
        .hasMessage("requestTimeout must be positive, was PT0S");
    rejects(
            BatchOptions.builder(IN, OUT).progressInterval(Duration.ofSeconds(-1)),
            "progressInterval")
        .hasMessage("progressInterval must be positive, was PT-1S");
    rejects(BatchOptions.builder(IN, OUT).maxReportedErrors(0), "maxReportedErrors")
        .hasMessage("maxReportedErrors must be at least 1, was 0");
    rejects(BatchOptions.builder(IN, OUT).model("m").group("g"), "group")
        .hasMessage("model and group are exclusive: give one of them, was model 'm' and group 'g'");
    rejects(BatchOptions.builder(IN, IN), "output")
        .hasMessage("output must be another file than the input, was in.jsonl");
    rejects(BatchOptions.builder(IN, OUT).errors(IN), "errors")
        .hasMessage("errors must be another file than the input, was in.jsonl");
    rejects(BatchOptions.builder(IN, OUT).errors(OUT), "errors")
        .hasMessage("errors must be another file than the output, was out.jsonl");
  }

  @Test
  void progressIsPlainUnlessATerminalIsSaid() {
    assertThat(BatchOptions.builder(IN, OUT).build().progress()).isEqualTo(ProgressMode.PLAIN);
    assertThat(BatchOptions.builder(IN, OUT).terminal(true).build().progress())
        .isEqualTo(ProgressMode.BAR);
    assertThat(BatchOptions.builder(IN, OUT).terminal(false).build().progress())
        .isEqualTo(ProgressMode.PLAIN);
  }
}
