package io.switchboard.router.internal;

import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyError;

/**
 * Why a request record is not dispatched. A rejection is always heard of: by a reply, a dead
 * letter, or both.
 *
 * @param error the error for the reply
 * @param requestId the request id, or null when none could be read (then there is no reply)
 * @param deadLetter whether a copy goes to the dead-letter topic; always when there is no id
 */
record Rejection(ReplyError error, String requestId, boolean deadLetter) {
  Rejection {
    if (requestId == null && !deadLetter) {
      throw new IllegalArgumentException(
          "a rejection without a request id must be dead-lettered: " + error);
    }
  }

  static Rejection of(
      ErrorCode code, String message, String field, String requestId, boolean deadLetter) {
    return new Rejection(new ReplyError(code, message, field), requestId, deadLetter);
  }
}
