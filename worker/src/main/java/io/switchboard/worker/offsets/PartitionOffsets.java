package io.switchboard.worker.offsets;

import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Out-of-order completion tracking for one partition: which consumed offsets are still in flight,
 * which are finished, where the commit point is and which finished offsets above it must be
 * remembered in the commit metadata.
 *
 * <p>The commit point is the lowest offset not known to be finished: everything below it is
 * finished or was never delivered (offsets of transaction markers and compacted records are skipped
 * by the consumer and count as finished once a later offset is seen). Commit {@link #commitPoint()}
 * with {@link #metadata()}; a new owner built by {@link #restore} then skips the offsets that were
 * finished (see {@link #dispatch}).
 *
 * <p>Not thread-safe: the poll loop owns it.
 */
public final class PartitionOffsets {
  /** What the commit metadata must fit: the broker's default {@code offset.metadata.max.bytes}. */
  public static final int METADATA_LIMIT = OffsetCodec.DEFAULT_MAX_METADATA_BYTES;

  /** Dispatched or restored offsets at or above the commit point: value true when finished. */
  private final TreeMap<Long, Boolean> tracked = new TreeMap<>();

  /** The lowest offset not yet delivered by the consumer in this life. */
  private long nextExpected;

  private int inFlight;

  private PartitionOffsets(long start) {
    if (start < 0) {
      throw new IllegalArgumentException("start offset must be >= 0, was " + start);
    }
    this.nextExpected = start;
  }

  /** Tracking for a partition read from {@code start} with nothing finished above it. */
  public static PartitionOffsets startingAt(long start) {
    return new PartitionOffsets(start);
  }

  /**
   * Tracking restored from a committed offset and its metadata (as written by {@link #metadata()}):
   * the offsets recorded as finished will not be processed again.
   *
   * @throws IllegalArgumentException when the metadata is ours but corrupt
   */
  public static PartitionOffsets restore(long committedOffset, String metadata) {
    PartitionOffsets offsets = new PartitionOffsets(committedOffset);
    for (long finished : OffsetCodec.decode(committedOffset, metadata)) {
      offsets.tracked.put(finished, Boolean.TRUE);
    }
    offsets.advance();
    return offsets;
  }

  /**
   * Records that the consumer delivered {@code offset}.
   *
   * @return true when the record must be processed; false when it is already finished or in flight
   *     (restored from metadata, or delivered again after a seek)
   */
  public boolean dispatch(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    }
    Boolean state = tracked.get(offset);
    if (state != null || offset < commitPoint()) {
      nextExpected = Math.max(nextExpected, offset + 1);
      advance();
      return false;
    }
    if (offset < nextExpected) {
      // Below the highest delivered offset, neither tracked nor below the commit point: a gap
      // the consumer skipped before, now delivered after a seek. Processing it is correct.
      tracked.put(offset, Boolean.FALSE);
      inFlight++;
      return true;
    }
    tracked.put(offset, Boolean.FALSE);
    inFlight++;
    nextExpected = offset + 1;
    return true;
  }

  /**
   * Records that the dispatched {@code offset} is finished (its reply or hand-off is written).
   *
   * @throws IllegalStateException when the offset was not dispatched or is already finished
   */
  public void complete(long offset) {
    Boolean state = tracked.get(offset);
    if (state == null || state) {
      throw new IllegalStateException(
          "offset "
              + offset
              + " completed but it is "
              + (state == null ? "not in flight" : "already finished"));
    }
    tracked.put(offset, Boolean.TRUE);
    inFlight--;
    advance();
  }

  /** The offset to commit: the lowest offset not known to be finished. */
  public long commitPoint() {
    Map.Entry<Long, Boolean> first = tracked.firstEntry();
    if (first == null || first.getKey() > nextExpected) {
      return nextExpected;
    }
    return first.getKey();
  }

  /** The finished offsets above the commit point, ascending. */
  public NavigableSet<Long> finishedAboveCommitPoint() {
    NavigableSet<Long> finished = new TreeSet<>();
    tracked.forEach(
        (offset, done) -> {
          if (done) {
            finished.add(offset);
          }
        });
    return finished;
  }

  /**
   * The commit metadata for {@link #commitPoint()}: the encoded {@link
   * #finishedAboveCommitPoint()}.
   */
  public String metadata() {
    return OffsetCodec.encode(commitPoint(), finishedAboveCommitPoint());
  }

  /** The length of {@link #metadata()} if it were written now. */
  public int encodedSizeIfCommittedNow() {
    return metadata().length();
  }

  /**
   * True when the metadata, committed now, would be longer than {@code limitBytes}. Cheap when far
   * from the limit (a constant-time bound decides), exact near it.
   */
  public boolean wouldExceed(int limitBytes) {
    Map.Entry<Long, Boolean> last = tracked.lastEntry();
    if (last == null) {
      return false;
    }
    Long lastFinished = last.getValue() ? last.getKey() : lastFinishedKey();
    if (lastFinished == null
        || OffsetCodec.encodedLengthBound(commitPoint(), lastFinished) <= limitBytes) {
      return false;
    }
    return encodedSizeIfCommittedNow() > limitBytes;
  }

  /**
   * Whether the partition may take {@code offset} now: however the offsets from the commit point to
   * it finish, the metadata committed with the commit point stays within {@link #METADATA_LIMIT}
   * (decided in constant time by {@link OffsetCodec#encodedLengthBound}). A record beyond is left
   * on the broker until the commit point moves, so the limit holds however many records a poll
   * returns.
   */
  public boolean hasRoomFor(long offset) {
    return OffsetCodec.encodedLengthBound(commitPoint(), offset) <= METADATA_LIMIT;
  }

  /**
   * Whether {@link #metadata()}, committed now, fits {@link #METADATA_LIMIT}. Results must not be
   * published while it does not: without the offsets that mark them answered, the next owner would
   * answer them again.
   */
  public boolean fitsCommit() {
    return !wouldExceed(METADATA_LIMIT);
  }

  /** Offsets dispatched and not yet finished. */
  public int inFlight() {
    return inFlight;
  }

  /** The lowest offset the consumer has not delivered yet in this life. */
  public long nextExpected() {
    return nextExpected;
  }

  private Long lastFinishedKey() {
    for (Long offset : tracked.descendingKeySet()) {
      if (tracked.get(offset)) {
        return offset;
      }
    }
    return null;
  }

  /** Drops finished offsets from the front: they are below the commit point now. */
  private void advance() {
    Iterator<Map.Entry<Long, Boolean>> it = tracked.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, Boolean> e = it.next();
      if (!e.getValue()) {
        return;
      }
      // A finished offset at or below the delivery frontier: everything up to it is done.
      if (e.getKey() > nextExpected) {
        return;
      }
      it.remove();
      nextExpected = Math.max(nextExpected, e.getKey() + 1);
    }
  }
}
