package io.switchboard.router.aggregator.internal;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * The latency histograms of metrics aggregates: milliseconds from 1 to one hour with two
 * significant digits (1 % precision), stored compressed and base64-encoded so that aggregates are
 * plain JSON and any two can be merged.
 */
public final class LatencyHistograms {
  /** Values above this (one hour) are recorded as this. */
  public static final long HIGHEST_MS = 3_600_000L;

  /** Significant decimal digits kept: 2 means every value is within 1 % of what was recorded. */
  public static final int SIGNIFICANT_DIGITS = 2;

  private LatencyHistograms() {}

  /** An empty histogram of the shared shape. */
  public static Histogram empty() {
    return new Histogram(1, HIGHEST_MS, SIGNIFICANT_DIGITS);
  }

  /** Records one latency, clamped to 0..{@link #HIGHEST_MS}. */
  public static void record(Histogram h, long latencyMs) {
    h.recordValue(Math.max(0, Math.min(HIGHEST_MS, latencyMs)));
  }

  /** The compressed, base64 form; null for an empty histogram. */
  public static String encode(Histogram h) {
    if (h.getTotalCount() == 0) {
      return null;
    }
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
  }

  /** The histogram of {@link #encode}; an empty one for null. */
  public static Histogram decode(String encoded) {
    if (encoded == null || encoded.isEmpty()) {
      return empty();
    }
    try {
      Histogram h =
          Histogram.decodeFromCompressedByteBuffer(
              ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), HIGHEST_MS);
      return h;
    } catch (DataFormatException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "latency histogram is not a compressed HdrHistogram in base64: " + e.getMessage(), e);
    }
  }
}
