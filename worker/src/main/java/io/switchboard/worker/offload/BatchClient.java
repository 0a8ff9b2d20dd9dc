package io.switchboard.worker.offload;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.DeploymentConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One provider's batch API as the worker uses it: the input line of a request, submitting a job,
 * finding a job again by its Switchboard id, its status, and its results in one shape for every
 * provider ({@link BatchResult}). Calls block: make them off the dispatch poll thread. Errors are
 * {@link BatchApiException}s whose messages are redacted.
 */
public interface BatchClient {

  /** The input line of one request: {@code customId} and its OpenAI body, already shaped. */
  ObjectNode inputLine(DeploymentConfig deployment, String customId, ObjectNode shapedBody);

  /**
   * Submits a job whose input lines ({@link #inputLine}, one per line) are in {@code input}, tagged
   * with {@code jobId} where the API keeps metadata.
   *
   * @return the provider's batch id
   */
  String submit(DeploymentConfig deployment, String jobId, Path input) throws BatchApiException;

  /**
   * The provider's batch that {@link #submit} created for {@code jobId}, when the API can find it
   * by metadata; empty when there is none, or when the API keeps no metadata (then a crash between
   * submitting and recording the batch can make a second batch of the same requests).
   */
  Optional<String> find(DeploymentConfig deployment, String jobId) throws BatchApiException;

  /** The batch's status now. */
  BatchStatus status(DeploymentConfig deployment, String batchId) throws BatchApiException;

  /**
   * Writes the results of an ended batch to {@code out}: one {@link BatchResult} a line, for every
   * request that was run; requests that expired or were cancelled have none.
   */
  void results(DeploymentConfig deployment, BatchStatus status, Path out) throws BatchApiException;
}
