package io.switchboard.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.RouteRequest;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {
  private static final ObjectNode BODY =
      (ObjectNode) Json.parse("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

  /** A type with subtypes. */
  static class Base {
    public int a = 1;
  }

  static final class Sub extends Base {
    public int b = 2;
  }

  @Test
  void aRecordIsWrittenAndReadAsTheMappingWritesAndReadsIt() {
    JsonSerde<RouteRequest> serde = new JsonSerde<>(RouteRequest.class);
    RouteRequest request =
        new RouteRequest(
            "r1",
            "chat",
            null,
            null,
            null,
            null,
            2,
            500L,
            null,
            "replies-x",
            Map.of("k", "v"),
            null,
            BODY);

    byte[] bytes = serde.serialize("t", request);

    assertThat(new String(bytes)).isEqualTo(new String(Json.toBytes(request)));
    assertThat(serde.deserialize("t", bytes)).isEqualTo(request);
  }

  @Test
  void aValueOfASubtypeIsWrittenWithItsOwnFields() {
    JsonSerde<Base> serde = new JsonSerde<>(Base.class);

    assertThat(new String(serde.serialize("t", new Sub()))).isEqualTo("{\"a\":1,\"b\":2}");
  }

  @Test
  void anUnreadableRecordNamesTheTopicAndTheType() {
    JsonSerde<RouteRequest> serde = new JsonSerde<>(RouteRequest.class);

    assertThatThrownBy(() -> serde.deserialize("requests", "{\"id\":".getBytes()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("'requests'")
        .hasMessageContaining("RouteRequest");
  }
}
