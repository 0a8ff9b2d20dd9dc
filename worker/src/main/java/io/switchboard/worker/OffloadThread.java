package io.switchboard.worker;

import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.kafka.ConsumerProperties;
import io.switchboard.worker.internal.OffloadRunner;
import io.switchboard.worker.offload.BatchClients;
import io.switchboard.worker.offload.OffloadEvents;
import io.switchboard.worker.retry.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The worker's offload jobs on a thread of their own, started only when a deployment has a {@code
 * batch_api}: the jobs topic is shared among the workers of the group by a consumer group of its
 * own ({@code group_id}{@value #GROUP_SUFFIX}).
 */
final class OffloadThread {
  static final String GROUP_SUFFIX = "-offload";

  private final OffloadRunner runner;
  private final Thread thread;
  private final Path workDir;

  private OffloadThread(OffloadRunner runner, Path workDir) {
    this.runner = runner;
    this.workDir = workDir;
    this.thread = new Thread(runner, "switchboard-offload");
    thread.setDaemon(true);
  }

  /**
   * Starts the offload thread when {@code config} has an offload deployment; else null.
   *
   * @param producers makes a transactional producer (again when one is fenced or broken)
   * @param events told of each job submitted and ended (the worker's meters)
   */
  static OffloadThread startIfNeeded(
      SwitchboardConfig config,
      Clock clock,
      Function<String, String> env,
      Supplier<KafkaProducer<String, byte[]>> producers,
      OffloadEvents events) {
    if (config.modelList().stream().map(DeploymentConfig::batchApi).allMatch(a -> a == null)) {
      return null;
    }
    Path workDir;
    try {
      workDir = Files.createTempDirectory("switchboard-offload-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a directory for batch job files", e);
    }
    KafkaConsumer<String, byte[]> jobs =
        new KafkaConsumer<>(
            ConsumerProperties.readCommitted(config.kafka())
                .group(config.workerSettings().groupId() + GROUP_SUFFIX)
                .toProperties(),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    KafkaConsumer<String, byte[]> dispatches =
        new KafkaConsumer<>(
            ConsumerProperties.readCommitted(config.kafka()).withoutGroup().toProperties(),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    OffloadRunner runner =
        new OffloadRunner(
            config,
            clock,
            jobs,
            dispatches,
            producers,
            new BatchClients(env, clock),
            new RetryPolicy(clock, () -> ThreadLocalRandom.current().nextLong()),
            workDir,
            events);
    try {
      runner.init();
    } catch (RuntimeException e) {
      jobs.close();
      dispatches.close();
      throw e;
    }
    OffloadThread offload = new OffloadThread(runner, workDir);
    offload.thread.start();
    return offload;
  }

  /** Offload jobs of owned partitions not done yet. */
  int jobs() {
    return runner.jobs();
  }

  /** Finishes the current step and stops; with {@code crash}, stops at once committing nothing. */
  void stop(boolean crash) {
    if (crash) {
      runner.abandon();
    } else {
      runner.stop();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(crash ? 15 : 60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temporary files: the system's cleaning removes them at the latest
    }
  }
}
