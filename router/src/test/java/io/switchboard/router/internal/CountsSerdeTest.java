package io.switchboard.router.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class CountsSerdeTest {
  private final CountsSerde serde = new CountsSerde();

  @Test
  void countsSurviveTheRoundTrip() {
    for (long[] counts : new long[][] {{}, {0}, {1, 2}, {Long.MAX_VALUE, -1, 42, 0, 7}}) {
      assertThat(serde.deserialize("t", serde.serialize("t", counts))).containsExactly(counts);
    }
    assertThat(serde.serialize("t", null)).isNull();
    assertThat(serde.deserialize("t", null)).isNull();
  }

  @Test
  void valuesWrittenAsJsonByEarlierVersionsAreStillRead() {
    assertThat(serde.deserialize("t", "[3,1200]".getBytes(StandardCharsets.UTF_8)))
        .containsExactly(3, 1200);
  }

  @Test
  void aValueOfAnotherShapeIsAnErrorNamingItsSize() {
    assertThatThrownBy(
            () -> serde.deserialize("store-changelog", new byte[] {CountsSerde.VERSION, 1, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("3 bytes")
        .hasMessageContaining("store-changelog");
    assertThatThrownBy(() -> serde.deserialize("t", new byte[0]))
        .isInstanceOf(SerializationException.class);
  }
}
