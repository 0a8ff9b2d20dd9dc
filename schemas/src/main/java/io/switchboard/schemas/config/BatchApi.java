package io.switchboard.schemas.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * A provider's batch API ({@code batch_api} of a deployment): requests of class batch routed to the
 * deployment are grouped into jobs of this API, at the provider's batch price. Each API's limits
 * per job are its own.
 */
public enum BatchApi {
  /** OpenAI: a JSONL file ({@code purpose=batch}) and a batch on {@code /v1/chat/completions}. */
  OPENAI(50_000, 200L * 1024 * 1024),
  /** Anthropic: {@code /v1/messages/batches} with {@code custom_id} and {@code params}. */
  ANTHROPIC(100_000, 256L * 1024 * 1024),
  /**
   * Azure OpenAI global batch: the OpenAI shapes under {@code /openai/files} and {@code
   * /openai/batches}.
   */
  AZURE(100_000, 200L * 1024 * 1024);

  private final int maxRequests;
  private final long maxBytes;

  BatchApi(int maxRequests, long maxBytes) {
    this.maxRequests = maxRequests;
    this.maxBytes = maxBytes;
  }

  /** The most requests one job of this API may hold. */
  public int maxRequests() {
    return maxRequests;
  }

  /** The largest input one job of this API may have, in bytes. */
  public long maxBytes() {
    return maxBytes;
  }

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
