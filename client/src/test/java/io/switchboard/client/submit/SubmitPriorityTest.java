package io.switchboard.client.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.Priority;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SubmitPriorityTest {
  @Test
  void submitSendsDefaultUnlessAClassIsGiven() {
    Duration timeout = Duration.ofSeconds(5);
    assertThat(
            SubmitRunner.request(new SubmitOptions("hi", null, "m", null, timeout, null))
                .priority())
        .isEqualTo(Priority.DEFAULT);
    assertThat(
            SubmitRunner.request(
                    new SubmitOptions("hi", null, "m", null, timeout, null, Priority.INTERACTIVE))
                .priority())
        .isEqualTo(Priority.INTERACTIVE);
  }
}
