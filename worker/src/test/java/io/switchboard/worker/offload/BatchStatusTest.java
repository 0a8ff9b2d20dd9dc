package io.switchboard.worker.offload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BatchStatusTest {
  static BatchStatus status(boolean ended, String state) {
    return new BatchStatus("b", ended, state, null, null, null);
  }

  @Test
  void onlyANormalEndCountsAsCompleted() {
    assertThat(status(true, "completed").completed()).isTrue();
    assertThat(status(true, "ended").completed()).as("Anthropic").isTrue();
    assertThat(status(true, "failed").completed()).isFalse();
    assertThat(status(true, "expired").completed()).isFalse();
    assertThat(status(true, "cancelled").completed()).isFalse();
    assertThat(status(false, "in_progress").completed()).isFalse();
  }
}
