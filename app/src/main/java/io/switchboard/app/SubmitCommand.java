package io.switchboard.app;

import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.InvalidOptionException;
import io.switchboard.client.submit.SubmitOptions;
import io.switchboard.client.submit.SubmitRunner;
import io.switchboard.schemas.Priority;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard submit}: sends one request with {@link SubmitRunner} and prints the reply.
 * Options that describe no request end through the {@link ErrorReporter} (one line, exit {@value
 * #EXIT_BAD_INPUT}).
 */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    header = "Sends one chat request and prints the reply.",
    description = {
      "Sends one chat request through Switchboard and prints the reply as JSON.",
      "Exit codes: 0 ok reply, 1 error or expired reply (or none in time), 2 bad input,"
          + " 4 the Kafka cluster did not answer."
    })
public final class SubmitCommand implements Callable<Integer> {
  static final int EXIT_OK = 0;
  static final int EXIT_ERROR = 1;
  static final int EXIT_BAD_INPUT = 2;

  @Mixin ConfigOptions kafka;

  @Option(names = "--model", description = "the model (alias or deployment id)")
  String model;

  @Option(names = "--group", description = "a load_balance_group")
  String group;

  @Option(
      names = "--file",
      paramLabel = "FILE",
      description =
          "a JSON request ({\"body\": {...}, ...}) or an OpenAI chat body ({\"messages\": [...]})")
  Path file;

  @Option(
      names = "--timeout",
      defaultValue = "120",
      paramLabel = "SECONDS",
      description = "how long to wait for the reply (default ${DEFAULT-VALUE})")
  long timeout;

  @Option(
      names = "--client-id",
      description = "names the reply topic <replies>.<client-id> (default: the host name)")
  String clientId;

  @Option(
      names = "--priority",
      paramLabel = "interactive|default|batch",
      description = "the request's class (default: the file's, else default)")
  Priority priority;

  @Parameters(arity = "0..1", paramLabel = "PROMPT", description = "the user message")
  String prompt;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SubmitOptions options =
        new SubmitOptions(
            prompt, file, model, group, Duration.ofSeconds(timeout), clientId, priority);
    ConnectionSettings connection = kafka.connection();
    PrintWriter err = spec.commandLine().getErr();
    try {
      RouteReply reply =
          kafka.whileConnecting(connection.kafka(), () -> SubmitRunner.submit(connection, options));
      spec.commandLine()
          .getOut()
          .println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(reply));
      return reply.status() == ReplyStatus.OK ? EXIT_OK : EXIT_ERROR;
    } catch (InvalidOptionException e) {
      throw e; // nothing was sent: the error reporter says why, exit 2
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      err.println(
          "switchboard submit: "
              + (cause instanceof TimeoutException ? "" : "failed: ")
              + cause.getMessage());
      return EXIT_ERROR;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("switchboard submit: interrupted before the reply came");
      return EXIT_ERROR;
    } catch (IOException | KafkaException | IllegalArgumentException | IllegalStateException e) {
      err.println("switchboard submit: " + e.getMessage());
      return EXIT_ERROR;
    }
  }
}
