package io.switchboard.app;

import io.switchboard.client.ConnectionSettings;
import io.switchboard.client.submit.SubmitOptions;
import io.switchboard.client.submit.SubmitRunner;
import io.switchboard.schemas.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code switchboard submit}: sends one request and prints the reply; all logic is in {@link SubmitRunner}. */
@Command(name = "submit", mixinStandardHelpOptions = true,
    description = {
        "Sends one chat request through Switchboard and prints the reply as JSON.",
        "Exit codes: 0 ok reply, 1 error or expired reply (or none in time), 2 bad input."})
public final class SubmitCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions kafka;

  @Option(names = "--model", description = "the model (alias or deployment id)")
  String model;

  @Option(names = "--group", description = "a load_balance_group")
  String group;

  @Option(names = "--file", paramLabel = "FILE",
      description = "a JSON request ({\"body\": {...}, ...}) or an OpenAI chat body ({\"messages\": [...]})")
  Path file;

  @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS",
      description = "how long to wait for the reply (default ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Option(names = "--client-id", description = "names the reply topic <replies>.<client-id> (default: the host name)")
  String clientId;

  @Parameters(arity = "0..1", paramLabel = "PROMPT", description = "the user message")
  String prompt;

  @Override
  public Integer call() {
    ConnectionSettings connection;
    SubmitOptions options;
    try {
      options = new SubmitOptions(prompt, file, model, group, Duration.ofSeconds(timeoutSeconds), clientId);
      connection = kafka.connection();
    } catch (IllegalArgumentException | ConfigException e) {
      System.err.println("switchboard submit: " + e.getMessage());
      return SubmitRunner.EXIT_BAD_INPUT;
    }
    return SubmitRunner.run(connection, options, System.out, System.err);
  }
}
