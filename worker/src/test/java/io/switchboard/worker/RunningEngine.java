package io.switchboard.worker;

import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.worker.health.HealthTracker;
import io.switchboard.worker.internal.Engine;
import io.switchboard.worker.provider.ProviderClient;
import io.switchboard.worker.retry.RetryPolicy;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An {@link Engine} on its own thread with the worker's consumer and producer settings, for tests
 * that give it their own provider client or producers. {@link #close()} stops it as {@link
 * Worker#close()} does (drain, then close).
 */
final class RunningEngine implements AutoCloseable {
  final Engine engine;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Thread loop;

  /**
   * @param producers makes a transactional producer from the worker's producer properties
   */
  RunningEngine(
      SwitchboardConfig config,
      ProviderClient provider,
      Function<Properties, KafkaProducer<String, byte[]>> producers) {
    Clock clock = Clock.systemUTC();
    engine =
        new Engine(
            config,
            clock,
            new KafkaConsumer<>(
                Worker.consumerProperties(config),
                new StringDeserializer(),
                new ByteArrayDeserializer()),
            () -> producers.apply(Worker.producerProperties(config)),
            provider,
            new HealthTracker(config.routerSettings(), clock),
            new RetryPolicy(clock, () -> ThreadLocalRandom.current().nextLong()),
            timer);
    engine.init();
    loop = new Thread(engine, "engine-under-test");
    loop.start();
  }

  @Override
  public void close() throws InterruptedException {
    engine.stop();
    loop.join(30_000);
    timer.shutdownNow();
  }
}
