package io.switchboard.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.process.ChildJvm;
import io.switchboard.testkit.process.ClassPath;
import java.io.File;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example, taken from README.md as it stands: it compiles against the client's
 * class path, and run against the dev stack (broker, router, worker, mock provider) it gets its
 * replies. The README's Maven coordinates are the client's.
 */
class ReadmeJavaExampleIT {
  static final Pattern JAVA_BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
  static final Pattern CLASS_NAME = Pattern.compile("public class (\\w+)");

  @TempDir Path dir;

  @Test
  @Timeout(300)
  void theReadmesJavaExampleCompilesAndGetsItsReplies() throws Exception {
    String section = javaSection(Files.readString(projectRoot().resolve("README.md")));
    assertThat(section)
        .contains("<artifactId>switchboard-client</artifactId>")
        .contains("<version>" + projectVersion() + "</version>")
        .contains("./mvnw -DskipTests install");
    Matcher block = JAVA_BLOCK.matcher(section);
    assertThat(block.find()).as("a java block in the README's Java section").isTrue();
    String source = block.group(1);
    Matcher name = CLASS_NAME.matcher(source);
    assertThat(name.find()).isTrue();
    assertThat(source).contains("\"localhost:9092\"");

    try (Embedded embedded =
        Embedded.start(
            KafkaBrokers::start, null, Embedded.demoBehavior(), 1, Embedded.DEMO_CONFIG)) {
      Path classes =
          compile(
              name.group(1),
              source.replace(
                  "\"localhost:9092\"", "\"" + embedded.broker().bootstrapServers() + "\""));
      try (ChildJvm example =
          ChildJvm.builder(name.group(1))
              .name("readme-example")
              .classPath(classes + File.pathSeparator + ClassPath.current())
              .log(dir.resolve("example.log"))
              .start()) {
        assertThat(example.awaitExit(Duration.ofSeconds(120))).as(example.tail()).isZero();
        List<String> lines = example.logLines();
        assertThat(lines)
            .as(example.tail())
            .anyMatch(l -> l.matches("one: OK from chat-(east|west)"))
            .contains("many: 2 of 2 answered")
            .filteredOn(l -> l.endsWith(" OK"))
            .hasSize(2);
      }
    }
  }

  private Path compile(String className, String source) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src")).resolve(className + ".java");
    Files.writeString(src, source);
    Path out = Files.createDirectories(dir.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    boolean ok =
        javac
            .getTask(
                errors,
                null,
                null,
                List.of("-classpath", ClassPath.current(), "-d", out.toString()),
                null,
                javac.getStandardFileManager(null, null, null).getJavaFileObjects(src))
            .call();
    assertThat(ok).as("the README's example compiles:\n%s", errors).isTrue();
    return out;
  }

  /** The README from "## From Java" to the next section. */
  static String javaSection(String readme) {
    int start = readme.indexOf("## From Java");
    assertThat(start).as("a Java section in README.md").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  static String projectVersion() throws Exception {
    Matcher version =
        Pattern.compile("<version>([^<]+)</version>")
            .matcher(Files.readString(projectRoot().resolve("client/pom.xml")));
    assertThat(version.find()).isTrue();
    return version.group(1);
  }

  static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (!Files.exists(dir.resolve("README.md"))
        || !Files.exists(dir.resolve("client/pom.xml"))) {
      dir = dir.getParent();
      assertThat(dir).as("README.md above the working directory").isNotNull();
    }
    return dir;
  }
}
