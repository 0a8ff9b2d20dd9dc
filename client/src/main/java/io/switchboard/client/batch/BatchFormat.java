package io.switchboard.client.batch;

/** The JSONL dialect of a batch's input and output. */
public enum BatchFormat {
  /**
   * OpenAI Batch API: input lines {@code {custom_id, method: "POST", url: "/v1/chat/completions",
   * body}}, output lines {@code {id, custom_id, response: {status_code, request_id, body}, error}}.
   */
  OPENAI,
  /**
   * Anthropic Message Batches: input lines {@code {custom_id, params: {model, max_tokens, messages,
   * system?, ...}}}, output lines {@code {custom_id, result: {type: succeeded|errored|expired,
   * ...}}}; an errored result carries an Anthropic error response {@code {type: "error", error:
   * {type, message}}}.
   */
  ANTHROPIC
}
