package io.switchboard.app;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code switchboard} command line of the production processes. Every command's errors end
 * through one {@link ErrorReporter}: one line and exit 2 for an expected error, a stack trace for a
 * bug. Every command prints the version ({@code --version}, {@code -V}) and takes the logging
 * options ({@link Logging}).
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
      StatsCommand.class,
      ConfigCommand.class
    })
public final class Main implements Callable<Integer> {
  static {
    useSwitchboardLogging();
  }

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description =
          "Log Switchboard's debug lines, and print the stack trace of an expected error too"
              + " (bugs always print theirs).")
  boolean verbose;

  @Option(
      names = "--quiet",
      scope = ScopeType.INHERIT,
      description = "Log only Switchboard's warnings and errors (see also SWITCHBOARD_LOG_LEVEL).")
  boolean quiet;

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, for tests. */
  public static CommandLine commandLine() {
    return commandLine(List.of());
  }

  /**
   * The command line with more commands after the production ones (the sandbox's {@code demo},
   * {@code dev}, {@code bench}, {@code mock-provider}), each a picocli command object; they share
   * the error handling, the version and the options every command inherits.
   */
  public static CommandLine commandLine(List<Object> moreCommands) {
    CommandLine cli = new CommandLine(new Main());
    moreCommands.forEach(cli::addSubcommand);
    cli.addSubcommand(new CommandLine.HelpCommand());
    withVersion(cli);
    ErrorReporter errors = new ErrorReporter();
    return cli.setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionStrategy(Main::execute)
        .setExecutionExceptionHandler(errors)
        .setParameterExceptionHandler(errors);
  }

  /**
   * Switchboard's logging set-up ({@link Logging}); a main method calls it before anything logs.
   */
  public static void useSwitchboardLogging() {
    Logging.configure(System.getenv());
  }

  /** Runs the command parsed, at the log level the command line and the environment name. */
  private static int execute(ParseResult parsed) {
    boolean verbose = ErrorReporter.verbose(parsed);
    boolean quiet = matched(parsed, "--quiet");
    CommandLine command = last(parsed).commandSpec().commandLine();
    if (verbose && quiet) {
      throw new ParameterException(
          command, "--verbose and --quiet are exclusive: give one of them");
    }
    Optional<String> problem = Logging.problem(System.getenv());
    if (problem.isPresent()) {
      throw new ParameterException(command, problem.get());
    }
    Logging.applyFlags(verbose, quiet);
    return new CommandLine.RunLast().execute(parsed);
  }

  /** Whether {@code option} was given, before or after the command's name. */
  static boolean matched(ParseResult parsed, String option) {
    for (ParseResult r = parsed; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption(option)) {
        return true;
      }
    }
    return false;
  }

  private static ParseResult last(ParseResult parsed) {
    ParseResult r = parsed;
    while (r.hasSubcommand()) {
      r = r.subcommand();
    }
    return r;
  }

  /**
   * Gives every command, at any depth, the version of {@link Main}: picocli gives it only to the
   * top.
   */
  private static void withVersion(CommandLine cli) {
    cli.getCommandSpec().versionProvider(new Version());
    cli.getSubcommands().values().forEach(Main::withVersion);
  }

  /** {@code switchboard} alone: the usage, as an error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ErrorReporter.EXIT_USAGE;
  }

  /**
   * The version of this build and of the Kafka clients, from the manifest of the jar that holds
   * this class ({@code Implementation-Version}, {@code Kafka-Version}); a build run from class
   * directories (an IDE, the tests) says so, with the version of the Kafka clients it runs on.
   */
  static final class Version implements CommandLine.IVersionProvider {
    static final String KAFKA_VERSION = "Kafka-Version";

    @Override
    public String[] getVersion() {
      Optional<Attributes> manifest = manifest();
      String version =
          manifest
              .map(m -> m.getValue(Attributes.Name.IMPLEMENTATION_VERSION))
              .orElse("(development build, not from a jar)");
      String kafka =
          manifest.map(m -> m.getValue(KAFKA_VERSION)).orElse(AppInfoParser.getVersion());
      return new String[] {"switchboard " + version, "Kafka " + kafka};
    }

    private static Optional<Attributes> manifest() {
      try {
        CodeSource source = Main.class.getProtectionDomain().getCodeSource();
        Path location = source == null ? null : Path.of(source.getLocation().toURI());
        if (location == null || !Files.isRegularFile(location)) {
          return Optional.empty();
        }
        try (JarFile jar = new JarFile(location.toFile())) {
          return Optional.ofNullable(jar.getManifest())
              .map(java.util.jar.Manifest::getMainAttributes);
        }
      } catch (IOException | URISyntaxException | SecurityException e) {
        return Optional.empty();
      }
    }
  }
}
