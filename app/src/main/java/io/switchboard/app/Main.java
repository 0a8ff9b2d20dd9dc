package io.switchboard.app;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code switchboard} command line of the production processes. Every command's errors end
 * through one {@link ErrorReporter}: one line and exit 2 for an expected error, a stack trace for a
 * bug.
 */
@Command(
    name = "switchboard",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A Kafka-native, asynchronous router for LLM completion requests.",
    subcommands = {
        RouterCommand.class,
        WorkerCommand.class,
        TopicsCommand.class,
        BatchCommand.class,
        SubmitCommand.class,
        StatsCommand.class
    })
public final class Main implements Callable<Integer> {
  static {
    useSwitchboardLogging();
  }

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "On an expected error, also print its stack trace (bugs always print theirs).")
  boolean verbose;

  @Spec
  CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, for tests. */
  public static CommandLine commandLine() {
    return commandLine(List.of());
  }

  /**
   * The command line with more commands after the production ones (the sandbox's {@code demo},
   * {@code dev}, {@code bench}, {@code mock-provider}), each a picocli command object; they share the
   * error handling and the options every command inherits.
   */
  public static CommandLine commandLine(List<Object> moreCommands) {
    CommandLine cli = new CommandLine(new Main());
    moreCommands.forEach(cli::addSubcommand);
    cli.addSubcommand(new CommandLine.HelpCommand());
    ErrorReporter errors = new ErrorReporter();
    return cli.setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(errors)
        .setParameterExceptionHandler(errors);
  }

  /** Switchboard's logging set-up; a main method calls it before anything logs. */
  public static void useSwitchboardLogging() {
    // Kafka's jars carry a log4j2 config of their own; use Switchboard's unless the user chose one.
    if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "switchboard-log4j2.xml");
    }
    // Components close in their own shutdown hooks and log while doing so; keep logging up until the end.
    System.setProperty("log4j2.shutdownHookEnabled", "false");
  }

  /** {@code switchboard} alone: the usage, as an error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ErrorReporter.EXIT_USAGE;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"switchboard " + (v == null ? "dev" : v)};
    }
  }
}
