package io.switchboard.router.internal;

import io.switchboard.schemas.ErrorCode;
import io.switchboard.schemas.ReplyError;

/**
 * Why a request record is not dispatched.
 *
 * @param error the error for the reply
 * @param requestId the request id, or null when none could be read (then there is no reply)
 * @param deadLetter whether a copy goes to the dead-letter topic
 */
record Rejection(ReplyError error, String requestId, boolean deadLetter) {
  static Rejection of(ErrorCode code, String message, String field, String requestId, boolean deadLetter) {
    return new Rejection(new ReplyError(code, message, field), requestId, deadLetter);
  }
}
