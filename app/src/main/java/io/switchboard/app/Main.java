package io.switchboard.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code switchboard} command line. */
@Command(
    name = "switchboard",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A Kafka-native, asynchronous router for LLM completion requests.",
    subcommands = {
        DemoCommand.class,
        DevCommand.class,
        RouterCommand.class,
        WorkerCommand.class,
        TopicsCommand.class,
        MockProviderCommand.class,
        BenchCommand.class,
        BatchCommand.class,
        SubmitCommand.class,
        StatsCommand.class,
        ConfigCommand.class,
        CommandLine.HelpCommand.class
    })
public final class Main {
  static {
    // Kafka's jars carry a log4j2 config of their own; use Switchboard's unless the user chose one.
    if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "switchboard-log4j2.xml");
    }
    // Components close in their own shutdown hooks and log while doing so; keep logging up until the end.
    System.setProperty("log4j2.shutdownHookEnabled", "false");
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, for tests. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"switchboard " + (v == null ? "dev" : v)};
    }
  }
}
