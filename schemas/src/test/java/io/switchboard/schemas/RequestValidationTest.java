package io.switchboard.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.SchemaName;
import io.switchboard.schemas.json.Schemas;
import io.switchboard.schemas.json.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestValidationTest {
  private static List<Violation> check(String json) {
    return Schemas.validate(SchemaName.ROUTE_REQUEST, Json.parse(json));
  }

  @Test
  void missingIdIsNamed() {
    assertThat(
            check(
                "{\"model\":\"m\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"))
        .extracting(Violation::path)
        .containsExactly("/id");
  }

  @Test
  void emptyMessagesAreNamed() {
    assertThat(check("{\"id\":\"a\",\"model\":\"m\",\"body\":{\"messages\":[]}}"))
        .extracting(Violation::path)
        .containsExactly("/body/messages");
  }

  @Test
  void negativeWeightIsNamedWithItsIndex() {
    assertThat(
            check(
                "{\"id\":\"a\",\"load_balancer\":[{\"model\":\"x\",\"weight\":1},{\"model\":\"y\",\"weight\":-1}],"
                    + "\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"))
        .extracting(Violation::path)
        .containsExactly("/load_balancer/1/weight");
  }

  @Test
  void unknownTopLevelFieldIsNamed() {
    assertThat(
            check(
                "{\"id\":\"a\",\"modle\":\"m\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"))
        .extracting(Violation::path)
        .containsExactly("/modle");
  }

  @Test
  void badDeadlineFormatIsNamed() {
    assertThat(
            check(
                "{\"id\":\"a\",\"deadline\":\"tomorrow\",\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"))
        .extracting(Violation::path)
        .containsExactly("/deadline");
  }

  @Test
  void messageDoesNotRepeatThePath() {
    List<Violation> v = check("{\"id\":\"a\",\"body\":{\"messages\":[{\"role\":\"robot\"}]}}");
    assertThat(v).extracting(Violation::path).containsExactly("/body/messages/0/role");
    assertThat(v.get(0).message()).doesNotStartWith("/").doesNotStartWith("$");
    assertThat(v.get(0).toString())
        .startsWith("/body/messages/0/role: ")
        .doesNotContain("role: /body");
  }

  @Test
  void unknownPriorityIsNamed() {
    assertThat(
            check(
                "{\"id\":\"a\",\"model\":\"m\",\"priority\":\"urgent\","
                    + "\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}"))
        .extracting(Violation::path)
        .containsExactly("/priority");
  }

  @Test
  void priorityIsReadAndDefaultsToDefault() throws Exception {
    String body = "\"body\":{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}}";
    String batch = "{\"id\":\"a\",\"model\":\"m\",\"priority\":\"batch\"," + body;
    assertThat(check(batch)).isEmpty();
    assertThat(Json.mapper().readValue(batch, RouteRequest.class).priority())
        .isEqualTo(Priority.BATCH);
    assertThat(
            Json.mapper()
                .readValue("{\"id\":\"a\",\"model\":\"m\"," + body, RouteRequest.class)
                .priority())
        .isEqualTo(Priority.DEFAULT);
    RouteRequest read = Json.mapper().readValue(batch, RouteRequest.class);
    assertThat(Json.toString(read)).contains("\"priority\":\"batch\"");
    assertThat(Json.toString(read.withPriority(Priority.DEFAULT))).doesNotContain("priority");
  }
}
