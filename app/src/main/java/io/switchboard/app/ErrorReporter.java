package io.switchboard.app;

import io.switchboard.client.InvalidOptionException;
import io.switchboard.client.batch.BatchException;
import io.switchboard.schemas.config.ConfigException;
import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * How every {@code switchboard} command ends on an error. An expected error (a config that cannot
 * be used, a missing or unreadable file, an invalid option, a Kafka cluster that refuses the
 * client, an option the client library rejects) prints one line, {@code switchboard <command>:
 * <what is wrong, and where>}, and exits {@value #EXIT_USAGE}; a Kafka cluster that does not answer
 * prints one line and exits {@value #EXIT_UNREACHABLE}. Anything else is a bug: its stack trace is
 * printed and the exit code is {@value #EXIT_BUG}. {@code --verbose} prints the stack trace of an
 * expected error too.
 */
final class ErrorReporter
    implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
  /** Invalid options or input, or anything else the user can fix; nothing was done. */
  static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

  /** A bug. */
  static final int EXIT_BUG = CommandLine.ExitCode.SOFTWARE;

  /**
   * The Kafka cluster did not answer (nothing was done; try again when it is up). Not 3, which
   * {@code batch} uses for "some lines unanswered".
   */
  static final int EXIT_UNREACHABLE = 4;

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    String help = command.getCommandSpec().qualifiedName() + " --help";
    report(
        command,
        oneLine(e.getMessage()) + " (see " + help + ")",
        e,
        Arrays.asList(args).contains("--verbose"));
    return EXIT_USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
    boolean verbose = verbose(parsed);
    Optional<String> expected = expected(e, command.getCommandSpec());
    if (expected.isPresent()) {
      report(command, expected.get(), e, verbose);
      return unreachable(e, command.getCommandSpec()) ? EXIT_UNREACHABLE : EXIT_USAGE;
    }
    PrintWriter err = command.getErr();
    err.println(command.getCommandSpec().qualifiedName() + ": unexpected error (a bug): " + e);
    e.printStackTrace(err);
    err.flush();
    return EXIT_BUG;
  }

  private static void report(CommandLine command, String message, Exception e, boolean verbose) {
    PrintWriter err = command.getErr();
    err.println(command.getCommandSpec().qualifiedName() + ": " + message);
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
  }

  /**
   * The one-line message of an expected error anywhere in {@code e}'s causes, or empty for a bug.
   */
  static Optional<String> expected(Throwable e, CommandSpec command) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      Optional<String> message = describe(t, command);
      if (message.isPresent()) {
        return message;
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the expected error in {@code e}'s causes says that the Kafka cluster did not answer.
   */
  static boolean unreachable(Throwable e, CommandSpec command) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (describe(t, command).isPresent()) {
        return t instanceof ClusterUnreachableException || t instanceof TimeoutException;
      }
    }
    return false;
  }

  private static Optional<String> describe(Throwable t, CommandSpec command) {
    if (t instanceof ConfigException
        || t instanceof BatchException
        || t instanceof UserError
        || t instanceof ClusterUnreachableException) {
      return Optional.of(oneLine(t.getMessage()));
    }
    if (t instanceof InvalidOptionException invalid) {
      return Optional.of(
          oneLine(invalid.getMessage())
              + optionOf(command, invalid.field()).map(o -> " (" + o + ")").orElse(""));
    }
    if (t instanceof NoSuchFileException f) {
      return Optional.of(f.getFile() + ": no such file");
    }
    if (t instanceof AccessDeniedException f) {
      return Optional.of(f.getFile() + ": permission denied");
    }
    if (t instanceof FileSystemException || t instanceof FileNotFoundException) {
      return Optional.of(oneLine(t.getMessage()));
    }
    if (t instanceof TimeoutException) {
      return Optional.of(
          "the Kafka cluster did not answer: "
              + oneLine(t.getMessage())
              + " (is bootstrap.servers right, and the cluster up?)");
    }
    if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
      return Optional.of("the Kafka cluster refused the client: " + oneLine(t.getMessage()));
    }
    if (t instanceof org.apache.kafka.common.config.ConfigException) {
      return Optional.of("Kafka client properties: " + oneLine(t.getMessage()));
    }
    return Optional.empty();
  }

  /**
   * The flag of the option (or the label of the parameter) held in the command's field {@code
   * field}.
   */
  static Optional<String> optionOf(CommandSpec command, String field) {
    return command.args().stream()
        .filter(a -> a.userObject() instanceof Field f && f.getName().equals(field))
        .findFirst()
        .map(ErrorReporter::label);
  }

  private static String label(ArgSpec arg) {
    return arg.isOption() ? ((CommandLine.Model.OptionSpec) arg).longestName() : arg.paramLabel();
  }

  /**
   * A message on one line: a list under a heading line ({@code invalid config:\n a\n b}) joined
   * with "; ".
   */
  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    List<String> lines = message.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    if (lines.size() <= 1) {
      return lines.isEmpty() ? "" : lines.get(0);
    }
    return lines.get(0) + " " + String.join("; ", lines.subList(1, lines.size()));
  }

  /** Whether {@code --verbose} was given, before or after the command's name. */
  static boolean verbose(ParseResult parsed) {
    return Main.matched(parsed, "--verbose");
  }

  /** A problem the user can fix, found by a command; the message says what is wrong and where. */
  static final class UserError extends RuntimeException {
    UserError(String message) {
      super(message, null, false, false);
    }
  }
}
