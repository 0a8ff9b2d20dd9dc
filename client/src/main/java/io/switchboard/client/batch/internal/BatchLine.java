package io.switchboard.client.batch.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A valid input line, as an OpenAI chat completions body.
 *
 * @param customId the caller's id of the line
 * @param body the OpenAI chat completions body
 * @param model the model the line asks for ({@code body.model}), or null
 */
public record BatchLine(String customId, ObjectNode body, String model) {}
