package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code stats} live: screen codes on a terminal only; into a pipe or a file, one snapshot after
 * another.
 */
class StatsCommandTest {
  static String refresh(boolean json, boolean terminal) {
    StatsCommand stats = new StatsCommand();
    stats.json = json;
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      stats.refresh(out, Map.of(), terminal);
      stats.refresh(out, Map.of(), terminal);
    }
    return text.toString();
  }

  @Test
  void onATerminalEachRefreshClearsTheScreen() {
    String screen = refresh(false, true);
    assertThat(screen).startsWith(StatsCommand.CLEAR_SCREEN);
    assertThat(screen.split(java.util.regex.Pattern.quote(StatsCommand.CLEAR_SCREEN), -1))
        .hasSize(3);
  }

  @Test
  void intoAPipeOrFileTheSnapshotsFollowOneAnotherWithoutEscapeCodes() {
    String piped = refresh(false, false);
    assertThat(piped).doesNotContain("\033");
    assertThat(piped.split("Switchboard stats at ", -1)).hasSize(3);
    assertThat(piped).contains("\n\nSwitchboard stats at ");
    assertThat(refresh(true, true)).doesNotContain("\033").hasLineCount(2);
  }
}
