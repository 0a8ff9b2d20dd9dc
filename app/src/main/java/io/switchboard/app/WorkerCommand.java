package io.switchboard.app;

import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.worker.Worker;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** A worker process against an existing Kafka cluster. */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Runs a worker against the cluster in the config, until stopped.",
        "Provider keys are read from the environment variables the config names."})
final class WorkerCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Override
  public Integer call() throws Exception {
    SwitchboardConfig config = options.load();
    CountDownLatch stop = new CountDownLatch(1);
    Worker worker = new Worker(config, Clock.systemUTC(), System::getenv);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      stop.countDown();
    }));
    worker.start();
    stop.await();
    return 0;
  }
}
