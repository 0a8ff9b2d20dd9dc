package io.switchboard.client.batch;

import io.switchboard.client.testing.TestKafka;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Runs a batch in a child JVM so that a test can kill it: args bootstrap, topic prefix, input,
 * output, max in flight.
 */
public final class BatchChildMain {
  private BatchChildMain() {}

  public static void main(String[] args) throws Exception {
    BatchOptions options =
        BatchOptions.builder(Path.of(args[2]), Path.of(args[3]))
            .maxInFlight(Integer.parseInt(args[4]))
            .terminal(false)
            .progressInterval(Duration.ofSeconds(1))
            .build();
    BatchResult result =
        new BatchRunner(
                TestKafka.connection(args[0], args[1]),
                options,
                System.out,
                System.err,
                Clock.systemUTC())
            .run();
    System.exit(result.status().ordinal());
  }
}
