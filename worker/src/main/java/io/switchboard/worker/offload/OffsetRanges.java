package io.switchboard.worker.offload;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;

/**
 * Ascending offsets as ranges, written {@code "0-99,120,130-140"}: the requests of a job, small
 * enough for one record however many there are when they are mostly contiguous.
 */
public final class OffsetRanges implements Iterable<Long> {
  private final List<long[]> ranges = new ArrayList<>();
  private int count;

  /** Appends {@code offset}, which must be above every offset already held. */
  public void add(long offset) {
    long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
    if (last != null && offset <= last[1]) {
      throw new IllegalArgumentException("offsets must ascend: " + offset + " after " + last[1]);
    }
    if (last != null && offset == last[1] + 1) {
      last[1] = offset;
    } else {
      ranges.add(new long[] {offset, offset});
    }
    count++;
  }

  /** How many offsets are held. */
  public int count() {
    return count;
  }

  /** How many ranges they make. */
  public int rangeCount() {
    return ranges.size();
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** The lowest offset. */
  public long first() {
    if (isEmpty()) {
      throw new NoSuchElementException("no offsets");
    }
    return ranges.get(0)[0];
  }

  /** The highest offset. */
  public long last() {
    if (isEmpty()) {
      throw new NoSuchElementException("no offsets");
    }
    return ranges.get(ranges.size() - 1)[1];
  }

  /** The offsets held, ascending. */
  @Override
  public PrimitiveIterator.OfLong iterator() {
    return new PrimitiveIterator.OfLong() {
      private int range;
      private long next = ranges.isEmpty() ? 0 : ranges.get(0)[0];

      @Override
      public boolean hasNext() {
        return range < ranges.size();
      }

      @Override
      public long nextLong() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        long value = next;
        if (next == ranges.get(range)[1]) {
          range++;
          next = range < ranges.size() ? ranges.get(range)[0] : 0;
        } else {
          next++;
        }
        return value;
      }
    };
  }

  /** {@code "0-99,120,130-140"}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (long[] r : ranges) {
      if (s.length() > 0) {
        s.append(',');
      }
      s.append(r[0]);
      if (r[1] != r[0]) {
        s.append('-').append(r[1]);
      }
    }
    return s.toString();
  }

  /**
   * Reads {@link #toString()}'s form.
   *
   * @throws IllegalArgumentException naming the text when it is not ascending ranges
   */
  public static OffsetRanges parse(String text) {
    OffsetRanges offsets = new OffsetRanges();
    if (text == null || text.isEmpty()) {
      return offsets;
    }
    try {
      for (String part : text.split(",")) {
        int dash = part.indexOf('-');
        long from = Long.parseLong(dash < 0 ? part : part.substring(0, dash));
        long to = dash < 0 ? from : Long.parseLong(part.substring(dash + 1));
        if (to < from) {
          throw new IllegalArgumentException("range " + part + " runs backwards");
        }
        long[] last =
            offsets.ranges.isEmpty() ? null : offsets.ranges.get(offsets.ranges.size() - 1);
        if (last != null && from <= last[1]) {
          throw new IllegalArgumentException("range " + part + " does not ascend");
        }
        offsets.ranges.add(new long[] {from, to});
        offsets.count += (int) (to - from + 1);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("offsets '" + text + "' are not ranges like 0-99,120", e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("offsets '" + text + "': " + e.getMessage(), e);
    }
    return offsets;
  }
}
