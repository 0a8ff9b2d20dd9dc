package io.switchboard.worker;

import java.util.HashSet;
import java.util.Set;
import java.util.SortedSet;

/**
 * The offsets finished above a partition's commit point, carried in the commit metadata as
 * deltas from the commit point in base 36, comma-separated.
 */
final class FinishedOffsets {
  /** The broker rejects commit metadata above {@code offset.metadata.max.bytes} (default 4096). */
  static final int MAX_BYTES = 4096;
  /** Pause a partition when this many finished offsets wait above its commit point. */
  static final int PAUSE_AT = 400;

  private FinishedOffsets() {}

  static String encode(long commitPoint, SortedSet<Long> finished) {
    StringBuilder out = new StringBuilder();
    for (long offset : finished) {
      if (out.length() > 0) {
        out.append(',');
      }
      out.append(Long.toString(offset - commitPoint, 36));
    }
    if (out.length() > MAX_BYTES) {
      throw new IllegalStateException("finished-offset metadata of " + out.length() + " bytes exceeds " + MAX_BYTES);
    }
    return out.toString();
  }

  static Set<Long> decode(long commitPoint, String metadata) {
    Set<Long> offsets = new HashSet<>();
    if (metadata == null || metadata.isEmpty()) {
      return offsets;
    }
    for (String delta : metadata.split(",")) {
      offsets.add(commitPoint + Long.parseLong(delta, 36));
    }
    return offsets;
  }

  static boolean nearLimit(int finishedCount) {
    return finishedCount >= PAUSE_AT;
  }
}
