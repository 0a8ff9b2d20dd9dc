package io.switchboard.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.RouteRequest;
import io.switchboard.schemas.json.Json;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {
  static final ObjectNode BODY = (ObjectNode) Json.parse("{\"messages\":[]}");

  @Test
  void submitAllSendsRequestsWithoutAClassAsBatchUnlessToldOtherwise() {
    RouteRequest plain = RouteRequest.of("a", "m", BODY);
    RouteRequest interactive = plain.withPriority(Priority.INTERACTIVE);
    ClientOptions defaults = ClientOptions.defaults();
    assertThat(defaults.forSubmitAll(plain).priority()).isEqualTo(Priority.BATCH);
    assertThat(defaults.forSubmitAll(interactive).priority())
        .as("a request that names its class keeps it")
        .isEqualTo(Priority.INTERACTIVE);
    ClientOptions asDefault = ClientOptions.builder().submitAllPriority(Priority.DEFAULT).build();
    assertThat(asDefault.forSubmitAll(plain).priority()).isEqualTo(Priority.DEFAULT);
  }
}
