package io.switchboard.testkit.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmTest {
  @TempDir Path dir;

  @Test
  @Timeout(60)
  void gracefulStopRunsShutdownHooksAndKillDoesNot() throws Exception {
    try (ChildJvm graceful = sleeper("graceful");
        ChildJvm killed = sleeper("killed")) {
      assertThat(graceful.awaitLogLine(l -> l.startsWith("ready"), Duration.ofSeconds(30)))
          .isEqualTo("ready a,b env=graceful");
      killed.awaitLogLine(l -> l.startsWith("ready"), Duration.ofSeconds(30));

      assertThat(graceful.stop(Duration.ofSeconds(20))).isEqualTo(143);
      killed.kill();

      assertThat(graceful.isAlive()).isFalse();
      assertThat(killed.isAlive()).isFalse();
      assertThat(graceful.logLines()).contains("shutdown hook ran");
      assertThat(killed.logLines()).doesNotContain("shutdown hook ran");
    }
  }

  @Test
  @Timeout(60)
  void closeKillsAChildThatIsStillRunning() throws Exception {
    ChildJvm child = sleeper("closed");
    ProcessHandle handle = ProcessHandle.of(child.pid()).orElseThrow();
    child.close();
    assertThat(handle.isAlive()).isFalse();
  }

  @Test
  @Timeout(30)
  void awaitingALineFailsWithTheLogWhenTheChildExits() {
    try (ChildJvm child =
        ChildJvm.builder("no.such.Main").name("missing").log(dir.resolve("missing.log")).start()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> child.awaitLogLine(l -> l.equals("never"), Duration.ofSeconds(20)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("missing exited with 1")
          .hasMessageContaining("no.such.Main");
    }
  }

  @Test
  void classPathHoldsThisClassAndKafka() {
    String cp = ClassPath.current();
    assertThat(cp.split(File.pathSeparator))
        .anySatisfy(e -> assertThat(e).contains("test-classes"));
    assertThat(cp.split(File.pathSeparator)).anySatisfy(e -> assertThat(e).contains("kafka_2.13"));
  }

  private ChildJvm sleeper(String value) {
    return ChildJvm.builder(Sleeper.class.getName())
        .jvmArgs("-Xmx32m")
        .args("a", "b")
        .env("SLEEPER_VALUE", value)
        .log(dir.resolve(value + ".log"))
        .start();
  }
}
