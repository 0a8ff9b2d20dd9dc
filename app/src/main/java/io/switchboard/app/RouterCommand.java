package io.switchboard.app;

import io.switchboard.router.Router;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The router process against an existing Kafka cluster. */
@Command(name = "router", mixinStandardHelpOptions = true,
    description = "Runs the router (Kafka Streams) against the cluster in the config, until stopped.")
final class RouterCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions options;

  @Override
  public Integer call() throws Exception {
    SwitchboardConfig config = options.load();
    CountDownLatch stop = new CountDownLatch(1);
    Router router = new Router(config, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      router.close();
      stop.countDown();
    }));
    router.start();
    stop.await();
    return 0;
  }
}
