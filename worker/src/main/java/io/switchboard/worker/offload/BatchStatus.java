package io.switchboard.worker.offload;

import java.util.Objects;

/**
 * Where a provider's batch is.
 *
 * @param batchId the provider's id
 * @param ended whether the batch has ended (completed, expired, cancelled, failed): its results are
 *     final
 * @param state the provider's word for it ({@code in_progress}, {@code completed}, {@code expired},
 *     {@code failed}, {@code ended} ...)
 * @param outputFileId OpenAI and Azure: the file of answered requests, or null
 * @param errorFileId OpenAI and Azure: the file of failed and expired requests, or null
 * @param detail why a batch failed as a whole, or null
 */
public record BatchStatus(
    String batchId,
    boolean ended,
    String state,
    String outputFileId,
    String errorFileId,
    String detail) {

  public BatchStatus {
    Objects.requireNonNull(batchId, "batchId");
    Objects.requireNonNull(state, "state");
  }

  /**
   * Whether the batch ended as the provider's normal end ({@code completed}; Anthropic's {@code
   * ended}), rather than failed, expired or cancelled.
   */
  public boolean completed() {
    return ended && (state.equals("completed") || state.equals("ended"));
  }
}
