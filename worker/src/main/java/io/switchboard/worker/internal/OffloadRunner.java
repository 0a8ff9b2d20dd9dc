package io.switchboard.worker.internal;

import io.switchboard.schemas.Dispatch;
import io.switchboard.schemas.OffloadJob;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.topics.Topics;
import io.switchboard.worker.offload.BatchApiException;
import io.switchboard.worker.offload.BatchClient;
import io.switchboard.worker.offload.BatchStatus;
import io.switchboard.worker.offload.OffloadEvents;
import io.switchboard.worker.offload.OffloadPolicy;
import io.switchboard.worker.offload.OffsetRanges;
import io.switchboard.worker.provider.RequestShaper;
import io.switchboard.worker.retry.RetryPolicy;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the offload jobs of the partitions of the jobs topic that this worker owns ({@link
 * OffloadTable}): submits a recorded intent to the provider, polls it, and answers its requests.
 * Every step that changes a job goes out in one transaction with the job's new record ({@link
 * OffloadTable#commit}), so whoever owns the partition next resumes from there:
 *
 * <ol>
 *   <li>{@code pending}: the batch is looked up by the job id first (OpenAI and Azure keep it in
 *       metadata), else the input is read again from the dispatch topic and submitted; then the job
 *       is recorded {@code submitted} with the provider's batch id;
 *   <li>{@code submitted}: polled every {@code batch_poll_interval_ms} until it ends; then its
 *       results are read and its requests answered ({@link OffloadReplies}) in chunks of {@link
 *       #CHUNK}, each chunk in one transaction with the job's {@code replied_through}; the last one
 *       with the job's tombstone.
 * </ol>
 *
 * A step that fails (the provider is down, a transaction fails) is tried again after the poll
 * interval. Owned by its own thread; provider calls block it, never the dispatch poll loop.
 */
public final class OffloadRunner implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(OffloadRunner.class);

  /** Requests answered per transaction. */
  static final int CHUNK = 500;

  private final SwitchboardConfig config;
  private final Clock clock;
  private final OffloadTable table;
  private final DispatchSource dispatches;
  private final BatchClient batches;
  private final OffloadReplies replies;
  private final Outputs outputs;
  private final String dispatchTopic;
  private final Path workDir;
  private final OffloadEvents events;
  private volatile boolean running = true;
  private volatile boolean abandoned;

  /**
   * @param jobs a consumer of the jobs topic in the offload group ({@code group_id}{@code
   *     -offload}), read committed
   * @param dispatchReader a consumer without a group, read committed, for the dispatch topic
   * @param producers makes a transactional producer (again when one is fenced or broken)
   * @param workDir where input and result files are kept while a job is worked on
   * @param events told of each job submitted and each job ended (the worker's meters)
   */
  public OffloadRunner(
      SwitchboardConfig config,
      Clock clock,
      KafkaConsumer<String, byte[]> jobs,
      KafkaConsumer<String, byte[]> dispatchReader,
      Supplier<KafkaProducer<String, byte[]>> producers,
      BatchClient batches,
      RetryPolicy retryPolicy,
      Path workDir,
      OffloadEvents events) {
    this.config = Objects.requireNonNull(config, "config");
    this.clock = Objects.requireNonNull(clock, "clock");
    Topics topics = new Topics(config.topics());
    this.outputs = new Outputs(config, topics);
    this.table = new OffloadTable(jobs, producers, topics.offloadJobs().name(), outputs);
    this.dispatchTopic = topics.dispatch().name();
    this.dispatches = new DispatchSource(dispatchReader, dispatchTopic);
    this.batches = Objects.requireNonNull(batches, "batches");
    this.replies = new OffloadReplies(outputs, retryPolicy, config.routerSettings());
    this.workDir = Objects.requireNonNull(workDir, "workDir");
    this.events = Objects.requireNonNull(events, "events");
  }

  /** Makes the first producer and registers its transactional id with the broker. */
  public void init() {
    table.init();
  }

  /** Asks the loop to finish its current step and exit. */
  public void stop() {
    running = false;
  }

  /** Asks the loop to exit at once, as if the process died: nothing more is committed. */
  public void abandon() {
    abandoned = true;
    running = false;
  }

  /** Jobs of owned partitions not done yet. Thread-safe. */
  public int jobs() {
    return table.size();
  }

  @Override
  public void run() {
    try {
      table.subscribe();
      while (running) {
        table.poll();
        for (OffloadTable.Tracked job : table.due(clock.millis())) {
          if (!running) {
            break;
          }
          advance(job);
        }
      }
    } catch (RuntimeException e) {
      if (!abandoned) {
        log.error("the offload loop failed; this worker stops running batch jobs", e);
      }
    } finally {
      table.close(abandoned);
      dispatches.close();
    }
  }

  /** Takes one job one step further; a failure is tried again after the poll interval. */
  private void advance(OffloadTable.Tracked job) {
    OffloadJob record = job.record();
    DeploymentConfig d = config.deployment(record.deploymentId()).orElse(null);
    long retryMs = d == null ? 30_000 : d.batchPollIntervalMs();
    if (d == null || d.batchApi() == null) {
      log.warn(
          "offload job {} is for deployment '{}', which has no batch_api in this worker's config; left for later",
          record.jobId(),
          record.deploymentId());
      job.waitUntil(clock.millis() + retryMs);
      return;
    }
    try {
      switch (record.state()) {
        case PENDING -> submit(job, d);
        case SUBMITTED -> poll(job, d);
      }
    } catch (BatchApiException | OffloadTable.CommitFailed | IOException | RuntimeException e) {
      if (!running) {
        return;
      }
      log.warn("offload job {}: {}; trying again later", record.jobId(), e.getMessage());
      job.waitUntil(clock.millis() + retryMs);
    }
  }

  private void submit(OffloadTable.Tracked job, DeploymentConfig d)
      throws BatchApiException, IOException, OffloadTable.CommitFailed {
    OffloadJob record = job.record();
    String batchId = batches.find(d, record.jobId()).orElse(null);
    if (batchId != null) {
      log.info("offload job {} was submitted before as batch {}", record.jobId(), batchId);
    } else {
      Path input = workDir.resolve(safe(record.jobId()) + ".jsonl");
      try {
        writeInput(record, d, input);
        batchId = batches.submit(d, record.jobId(), input);
      } finally {
        Files.deleteIfExists(input);
      }
      events.submitted(d, record.requests());
      log.info(
          "offload job {} ({} requests) submitted as batch {}",
          record.jobId(),
          record.requests(),
          batchId);
    }
    OffloadJob submitted = record.submitted(batchId, clock.instant());
    table.commit(job, submitted, List.of());
    job.waitUntil(clock.millis() + d.batchPollIntervalMs());
  }

  /** The job's input: each request's line, read again from the dispatch topic. */
  private void writeInput(OffloadJob record, DeploymentConfig d, Path input) throws IOException {
    OffsetRanges offsets = OffsetRanges.parse(record.offsets());
    try (BufferedWriter out = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
      for (List<Long> chunk : chunks(offsets, -1)) {
        dispatches.read(
            record.partition(),
            chunk,
            (offset, value) -> {
              Dispatch dispatch = replies.dispatch(dispatchTopic, value);
              if (dispatch == null) {
                return; // answered when the results are read: it has none
              }
              try {
                out.write(
                    batches
                        .inputLine(
                            d,
                            OffloadPolicy.customId(offset),
                            RequestShaper.shape(d, dispatch.request().body()))
                        .toString());
                out.newLine();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
      }
    }
  }

  private void poll(OffloadTable.Tracked job, DeploymentConfig d)
      throws BatchApiException, IOException, OffloadTable.CommitFailed {
    OffloadJob record = job.record();
    BatchStatus status = batches.status(d, record.providerBatchId());
    if (!status.ended()) {
      job.waitUntil(clock.millis() + d.batchPollIntervalMs());
      return;
    }
    Path file = workDir.resolve(safe(record.jobId()) + ".results.jsonl");
    batches.results(d, status, file);
    try (JobResults results = new JobResults(file)) {
      log.info(
          "offload job {}: batch {} ended {} with {} of {} results",
          record.jobId(),
          status.batchId(),
          status.state(),
          results.size(),
          record.requests());
      answer(job, d, status, results);
    }
  }

  /** Answers the job's requests above its {@code replied_through}, a chunk per transaction. */
  private void answer(
      OffloadTable.Tracked job, DeploymentConfig d, BatchStatus status, JobResults results)
      throws OffloadTable.CommitFailed {
    OffsetRanges offsets = OffsetRanges.parse(job.record().offsets());
    long from = job.record().repliedThrough() == null ? -1 : job.record().repliedThrough();
    List<List<Long>> chunks = chunks(offsets, from);
    if (chunks.isEmpty()) {
      table.commit(job, null, List.of());
      events.ended(d, status.completed());
      return;
    }
    for (int i = 0; i < chunks.size() && running; i++) {
      List<Long> chunk = chunks.get(i);
      OffloadJob record = job.record();
      Instant now = clock.instant();
      List<ProducerRecord<String, byte[]>> out = new ArrayList<>(chunk.size() * 2);
      dispatches.read(
          record.partition(),
          chunk,
          (offset, value) -> {
            Dispatch dispatch = replies.dispatch(dispatchTopic, value);
            if (dispatch == null) {
              log.error(
                  "offload job {}: the dispatch at {}/{}@{} is gone (retention shorter than the job?); it gets no reply",
                  record.jobId(),
                  dispatchTopic,
                  record.partition(),
                  offset);
              return;
            }
            out.addAll(
                replies.answer(d, record, offset, dispatch, status, results.at(offset), now));
          });
      boolean last = i == chunks.size() - 1;
      long through = chunk.get(chunk.size() - 1);
      table.commit(job, last ? null : record.repliedThrough(through), out);
      if (last) {
        events.ended(d, status.completed());
      }
    }
  }

  /** The offsets above {@code after}, in chunks of {@link #CHUNK}. */
  private static List<List<Long>> chunks(OffsetRanges offsets, long after) {
    List<List<Long>> chunks = new ArrayList<>();
    List<Long> chunk = new ArrayList<>(CHUNK);
    for (long offset : offsets) {
      if (offset <= after) {
        continue;
      }
      chunk.add(offset);
      if (chunk.size() == CHUNK) {
        chunks.add(chunk);
        chunk = new ArrayList<>(CHUNK);
      }
    }
    if (!chunk.isEmpty()) {
      chunks.add(chunk);
    }
    return chunks;
  }

  private static String safe(String jobId) {
    return jobId.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
