package io.switchboard.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.module.blackbird.BlackbirdModule;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonMapperTest {
  @Test
  void theSharedMapperAccessesFieldsThroughBlackbird() {
    assertThat(Json.mapper().getRegisteredModuleIds()).contains(new BlackbirdModule().getTypeId());
  }

  @Test
  void aReplyReadsBackEqualThroughTheGeneratedAccessors() {
    RouteReply reply =
        new RouteReply(
            "r1",
            ReplyStatus.OK,
            (ObjectNode) Json.parse("{\"id\":\"c1\",\"choices\":[]}"),
            null,
            "dep-a",
            "chat",
            "gpt-x",
            "openai",
            null,
            12L,
            10L,
            0.001,
            null,
            Instant.parse("2026-12-06T10:00:00.123Z"),
            null,
            3L);
    assertThat(Json.read(Json.toBytes(reply), RouteReply.class)).isEqualTo(reply);
  }
}
