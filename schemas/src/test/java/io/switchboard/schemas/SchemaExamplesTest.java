package io.switchboard.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.json.Json;
import io.switchboard.schemas.json.SchemaName;
import io.switchboard.schemas.json.Schemas;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every example document validates against its schema and round-trips through its record. */
class SchemaExamplesTest {
  private static final Map<SchemaName, Class<?>> RECORDS =
      Map.of(
          SchemaName.ROUTE_REQUEST, RouteRequest.class,
          SchemaName.ROUTE_REPLY, RouteReply.class,
          SchemaName.DISPATCH, Dispatch.class,
          SchemaName.ATTEMPT_EVENT, AttemptEvent.class,
          SchemaName.DEPLOYMENT_HEALTH, DeploymentHealth.class,
          SchemaName.DEAD_LETTER, DeadLetter.class,
          SchemaName.METRICS_SUMMARY, MetricsSummary.class,
          SchemaName.OFFLOAD_JOB, OffloadJob.class,
          SchemaName.CONFIG_VERSION, ConfigVersion.class);

  @TestFactory
  Stream<DynamicTest> everyJsonExampleValidatesAndRoundTrips()
      throws IOException, URISyntaxException {
    return RECORDS.entrySet().stream()
        .flatMap(
            e ->
                examples(e.getKey(), ".json").stream()
                    .map(
                        file ->
                            DynamicTest.dynamicTest(
                                e.getKey().file() + "/" + file.getFileName(),
                                () -> {
                                  JsonNode document = Json.mapper().readTree(file.toFile());
                                  assertThat(Schemas.validate(e.getKey(), document))
                                      .as("violations")
                                      .isEmpty();
                                  Object record = Json.convert(document, e.getValue());
                                  JsonNode back = Json.parse(Json.toString(record));
                                  assertThat(back).isEqualTo(document);
                                  assertThat(Schemas.validate(e.getKey(), back)).isEmpty();
                                })));
  }

  @Test
  void everySchemaHasAtLeastOneExample() {
    for (SchemaName name : SchemaName.values()) {
      assertThat(examples(name, name == SchemaName.CONFIG ? ".yaml" : ".json"))
          .as(name.file())
          .isNotEmpty();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyConfigExampleLoadsAndItsRecordMatchesTheSchema() {
    return examples(SchemaName.CONFIG, ".yaml").stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.getFileName().toString(),
                    () -> {
                      SwitchboardConfig config =
                          new ConfigLoader(name -> "set-" + name).load(file, null);
                      JsonNode asJson = Json.tree(config);
                      assertThat(Schemas.validate(SchemaName.CONFIG, asJson))
                          .as("record as JSON")
                          .isEmpty();
                      assertThat(Json.convert(asJson, SwitchboardConfig.class)).isEqualTo(config);
                    }));
  }

  static List<Path> examples(SchemaName schema, String suffix) {
    try {
      Path dir =
          Path.of(
              SchemaExamplesTest.class.getResource("/schemas/examples/" + schema.file()).toURI());
      try (Stream<Path> files = Files.list(dir)) {
        return files.filter(f -> f.toString().endsWith(suffix)).sorted().toList();
      }
    } catch (IOException | URISyntaxException | NullPointerException e) {
      return List.of();
    }
  }
}
