package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The production jar and its libraries, what the Dockerfile copies into the image, hold no test
 * kit: no Switchboard testkit, no Kafka test kit (the in-process broker), no Testcontainers. Runs
 * after {@code package} (failsafe), on the files the Dockerfile names.
 */
class ProductionJarIT {
  static final List<String> FORBIDDEN =
      List.of("io/switchboard/testkit/", "org/apache/kafka/common/test/", "org/testcontainers/");

  static Path repositoryRoot() {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.exists(root.resolve("Dockerfile"))) {
      root = root.getParent();
      assertThat(root).as("the Dockerfile above the working directory").isNotNull();
    }
    return root;
  }

  /**
   * The sources of the COPY lines of the Dockerfile's last stage, the image it builds by default.
   */
  static List<String> copied(Path root) throws IOException {
    List<String> lines = Files.readAllLines(root.resolve("Dockerfile"));
    int lastStage = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("FROM ")) {
        lastStage = i;
      }
    }
    return lines.subList(lastStage, lines.size()).stream()
        .filter(l -> l.startsWith("COPY "))
        .map(l -> l.split("\\s+")[1])
        .toList();
  }

  @Test
  void theImagesJarAndLibrariesHoldNoTestKitTestcontainersOrInProcessBroker() throws IOException {
    Path root = repositoryRoot();
    assertThat(copied(root))
        .containsExactlyInAnyOrder("app/target/lib/", "app/target/switchboard.jar");
    Path jar = root.resolve("app/target/switchboard.jar");
    List<Path> jars = new ArrayList<>(List.of(jar));
    try (Stream<Path> lib = Files.list(root.resolve("app/target/lib"))) {
      jars.addAll(lib.filter(p -> p.toString().endsWith(".jar")).sorted().toList());
    }
    assertThat(jars).as("the jar and its libraries").hasSizeGreaterThan(10);

    List<String> found = new ArrayList<>();
    List<String> ownClasses = new ArrayList<>();
    for (Path file : jars) {
      try (JarFile j = new JarFile(file.toFile())) {
        j.stream()
            .map(e -> e.getName())
            .filter(n -> n.endsWith(".class"))
            .forEach(
                name -> {
                  if (FORBIDDEN.stream().anyMatch(name::startsWith)) {
                    found.add(file.getFileName() + "!/" + name);
                  }
                  if (file.equals(jar)) {
                    ownClasses.add(name);
                  }
                });
      }
    }
    assertThat(found)
        .as(
            "test-kit classes in the production jar or app/target/lib (a stale lib? mvn clean package)")
        .isEmpty();
    assertThat(jars)
        .extracting(p -> p.getFileName().toString())
        .noneMatch(
            n ->
                n.startsWith("switchboard-testkit")
                    || n.startsWith("testcontainers")
                    || n.startsWith("kafka-test-common"));
    assertThat(ownClasses)
        .contains(
            "io/switchboard/app/Main.class",
            "io/switchboard/app/RouterCommand.class",
            "io/switchboard/app/WorkerCommand.class",
            "io/switchboard/app/BatchCommand.class");
  }

  @Test
  @Timeout(120)
  void everyCommandOfTheJarPrintsTheProjectAndKafkaVersionsFromItsManifest() throws Exception {
    Path root = repositoryRoot();
    String pom = Files.readString(root.resolve("pom.xml"));
    String version = firstMatch(pom, "<version>([^<]+)</version>");
    String kafka = firstMatch(pom, "<kafka.version>([^<]+)</kafka.version>");
    for (List<String> args :
        List.of(List.of("--version"), List.of("batch", "-V"), List.of("config", "check", "-V"))) {
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-jar",
                  root.resolve("app/target/switchboard.jar").toString()));
      command.addAll(args);
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor()).as(String.join(" ", args) + ": " + out).isZero();
      assertThat(out.lines().toList())
          .as(String.join(" ", args))
          .containsExactly("switchboard " + version, "Kafka " + kafka);
    }
  }

  private static String firstMatch(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }
}
