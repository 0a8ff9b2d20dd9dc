package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.app.ErrorReporterTest.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What a person meets first: every command's help is whole (no "null" where picocli took a {@code
 * ${...}} for a variable), {@code switchboard --help} lists each command with a one-line summary,
 * and every command prints the version of Switchboard and of Kafka.
 */
class CommandLineTest {
  /**
   * Every command, subcommands included, by its full name ({@code config check}), the help command
   * aside.
   */
  static Map<String, CommandLine> commands(CommandLine top) {
    Map<String, CommandLine> all = new java.util.LinkedHashMap<>();
    collect(top, all);
    return all;
  }

  private static void collect(CommandLine cli, Map<String, CommandLine> into) {
    cli.getSubcommands().values().stream()
        .filter(c -> !(c.getCommand() instanceof CommandLine.HelpCommand))
        .forEach(
            c -> {
              into.put(c.getCommandSpec().qualifiedName().replaceFirst("^switchboard ", ""), c);
              collect(c, into);
            });
  }

  /**
   * Checks the help and version of every command of {@code top}; the sandbox's command line runs
   * the same checks.
   */
  static void assertHelpAndVersionOfEveryCommand(java.util.function.Supplier<CommandLine> top) {
    Map<String, CommandLine> commands = commands(top.get());
    assertThat(commands).isNotEmpty();
    Run overview = ErrorReporterTest.run(top.get(), "--help");
    assertThat(overview.exit()).isZero();
    List<String> overviewLines = overview.out().lines().map(String::strip).toList();
    commands.forEach(
        (name, command) -> {
          String[] header = command.getCommandSpec().usageMessage().header();
          assertThat(header).as("%s: a one-line summary (@Command header)", name).hasSize(1);
          assertThat(header[0]).as(name).endsWith(".").doesNotContain("null");

          List<String> args = new ArrayList<>(List.of(name.split(" ")));
          args.add("--help");
          Run help = ErrorReporterTest.run(top.get(), args.toArray(String[]::new));
          assertThat(help.exit()).as(name).isZero();
          assertThat(help.out()).as(name + " --help").doesNotContain("null");

          for (String flag : List.of("--version", "-V")) {
            args.set(args.size() - 1, flag);
            Run version = ErrorReporterTest.run(top.get(), args.toArray(String[]::new));
            assertThat(version.exit()).as(name + " " + flag).isZero();
            assertThat(version.out().lines().toList())
                .as(name + " " + flag)
                .hasSize(2)
                .first()
                .asString()
                .startsWith("switchboard ");
            assertThat(version.out()).contains("Kafka " + AppInfoParser.getVersion());
          }
        });
    commands.forEach(
        (name, command) -> {
          if (!name.contains(" ")) {
            String summary = command.getCommandSpec().usageMessage().header()[0];
            assertThat(overviewLines)
                .as("switchboard --help lists %s with its whole summary on one line", name)
                .anyMatch(l -> l.startsWith(name + " ") && l.endsWith(summary));
          }
        });
  }

  @Test
  void everyCommandHasAWholeHelpAOneLineSummaryAndTheVersion() {
    assertHelpAndVersionOfEveryCommand(Main::commandLine);
  }

  @Test
  void theVersionNamesSwitchboardsBuildAndTheKafkaClients() {
    String[] version = new Main.Version().getVersion();
    // The tests run from class directories; the jar's manifest is read by ProductionJarIT.
    assertThat(version)
        .containsExactly(
            "switchboard (development build, not from a jar)",
            "Kafka " + AppInfoParser.getVersion());
  }

  @Test
  void verboseAndQuietAreExclusiveAndEveryCommandTakesThem() {
    Run both =
        ErrorReporterTest.run("config", "check", "--config", "x.yaml", "--verbose", "--quiet");
    assertThat(both.exit()).isEqualTo(2);
    // --verbose also prints the stack trace below the line
    assertThat(both.errLines().get(0))
        .isEqualTo(
            "switchboard config check: --verbose and --quiet are exclusive: give"
                + " one of them (see switchboard config check --help)");
    commands(Main.commandLine())
        .forEach(
            (name, command) ->
                assertThat(command.getCommandSpec().optionsMap())
                    .as(name)
                    .containsKeys("--verbose", "--quiet"));
  }
}
