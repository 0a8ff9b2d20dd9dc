package io.switchboard.worker.offsets;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * Encodes the finished offsets above a committed offset into the text of {@code
 * OffsetAndMetadata.metadata}, and back.
 *
 * <p>Format: {@code "sb1:"} followed by unpadded base64url of one kind byte and a payload
 * describing offsets relative to the committed offset {@code base}:
 *
 * <ul>
 *   <li>kind {@code 'B'}: a bitset, bit {@code i} (least significant first) set when {@code base +
 *       i} is finished;
 *   <li>kind {@code 'R'}: run lengths as unsigned varints, alternating unfinished / finished and
 *       starting with an unfinished run (which may be empty), ending with a finished run.
 * </ul>
 *
 * The encoder writes whichever is shorter. An empty set encodes as the empty string, which is also
 * what Kafka stores when no metadata was given, so offsets committed by other tools decode as
 * "nothing finished above the commit point".
 */
public final class OffsetCodec {
  /** The text every encoded value starts with; the digit is the format version. */
  public static final String PREFIX = "sb1:";

  /** The broker's default {@code offset.metadata.max.bytes}. */
  public static final int DEFAULT_MAX_METADATA_BYTES = 4096;

  /**
   * No encoding this codec writes under the broker's limits spans more offsets; larger is
   * corruption.
   */
  private static final long MAX_SPAN = 1L << 26;

  private static final byte BITSET = 'B';
  private static final byte RUNS = 'R';

  private OffsetCodec() {}

  /**
   * Encodes {@code finished}, every element of which must be {@code >= base}.
   *
   * @throws IllegalArgumentException when an offset lies below {@code base}
   */
  public static String encode(long base, NavigableSet<Long> finished) {
    if (finished.isEmpty()) {
      return "";
    }
    if (finished.first() < base) {
      throw new IllegalArgumentException(
          "finished offset " + finished.first() + " lies below the commit point " + base);
    }
    byte[] runs = runs(base, finished);
    long span = finished.last() - base + 1;
    byte[] payload = span <= (long) runs.length * 8 ? bitset(base, finished, (int) span) : runs;
    byte kind = payload == runs ? RUNS : BITSET;
    byte[] all = new byte[payload.length + 1];
    all[0] = kind;
    System.arraycopy(payload, 0, all, 1, payload.length);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(all);
  }

  /**
   * An upper bound of the encoded length in bytes, computed in constant time from the span {@code
   * lastFinished - base + 1}: the bitset form never needs more.
   */
  public static long encodedLengthBound(long base, long lastFinished) {
    if (lastFinished < base) {
      return 0;
    }
    long raw = 1 + (lastFinished - base + 1 + 7) / 8;
    return PREFIX.length() + (raw * 4 + 2) / 3;
  }

  /**
   * Decodes text made by {@link #encode}; {@code null}, empty text and text of other tools (not
   * starting with {@link #PREFIX}) decode to the empty set.
   *
   * @throws IllegalArgumentException when the text starts with {@link #PREFIX} but is corrupt
   */
  public static NavigableSet<Long> decode(long base, String metadata) {
    NavigableSet<Long> finished = new TreeSet<>();
    if (metadata == null || !metadata.startsWith(PREFIX)) {
      return finished;
    }
    byte[] all;
    try {
      all = Base64.getUrlDecoder().decode(metadata.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw corrupt(metadata, "not base64url");
    }
    if (all.length < 2) {
      throw corrupt(metadata, "too short");
    }
    if (all[0] == BITSET) {
      for (int i = 1; i < all.length; i++) {
        for (int bit = 0; bit < 8; bit++) {
          if ((all[i] & (1 << bit)) != 0) {
            finished.add(base + (long) (i - 1) * 8 + bit);
          }
        }
      }
    } else if (all[0] == RUNS) {
      int[] pos = {1};
      long offset = base;
      boolean finishedRun = false;
      while (pos[0] < all.length) {
        long length = readVarint(all, pos, metadata);
        if (length > MAX_SPAN || offset - base + length > MAX_SPAN) {
          throw corrupt(metadata, "runs span more than " + MAX_SPAN + " offsets");
        }
        if (finishedRun) {
          for (long i = 0; i < length; i++) {
            finished.add(offset + i);
          }
        }
        offset += length;
        finishedRun = !finishedRun;
      }
    } else {
      throw corrupt(metadata, "unknown kind " + all[0]);
    }
    return finished;
  }

  private static byte[] bitset(long base, NavigableSet<Long> finished, int span) {
    byte[] bits = new byte[(span + 7) / 8];
    for (long offset : finished) {
      int i = (int) (offset - base);
      bits[i >>> 3] |= (byte) (1 << (i & 7));
    }
    return bits;
  }

  private static byte[] runs(long base, NavigableSet<Long> finished) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long next = base;
    long runStart = -1;
    long previous = -2;
    for (long offset : finished) {
      if (offset != previous + 1) {
        if (runStart >= 0) {
          writeVarint(out, previous + 1 - runStart);
        }
        writeVarint(out, offset - next);
        runStart = offset;
      }
      previous = offset;
      next = offset + 1;
    }
    writeVarint(out, previous + 1 - runStart);
    return out.toByteArray();
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  private static long readVarint(byte[] bytes, int[] pos, String metadata) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= bytes.length) {
        throw corrupt(metadata, "truncated run length");
      }
      byte b = bytes[pos[0]++];
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw corrupt(metadata, "run length too long");
  }

  private static IllegalArgumentException corrupt(String metadata, String why) {
    String shown = metadata.length() > 40 ? metadata.substring(0, 40) + "..." : metadata;
    return new IllegalArgumentException(
        "offset commit metadata '"
            + shown
            + "' is corrupt ("
            + why
            + "); it should have been written by the Switchboard worker");
  }
}
