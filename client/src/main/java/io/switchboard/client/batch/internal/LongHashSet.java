package io.switchboard.client.batch.internal;

import java.util.Arrays;

/**
 * A set of primitive longs: open addressing with linear probing, 8 bytes a slot, kept at most half
 * full. Holds the 64-bit hashes of millions of custom ids in a few tens of megabytes.
 */
public final class LongHashSet {
  private static final long EMPTY = 0L;

  private long[] table;
  private int mask;
  private int size;
  private boolean hasEmptyValue;

  public LongHashSet() {
    this(16);
  }

  public LongHashSet(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected) * 2 - 1) << 1;
    table = new long[capacity];
    mask = capacity - 1;
  }

  /** Adds {@code value}; false when it was already there. */
  public boolean add(long value) {
    if (value == EMPTY) {
      if (hasEmptyValue) {
        return false;
      }
      hasEmptyValue = true;
      size++;
      return true;
    }
    int i = slot(value);
    while (true) {
      long v = table[i];
      if (v == EMPTY) {
        table[i] = value;
        if (++size * 2 > table.length) {
          grow();
        }
        return true;
      }
      if (v == value) {
        return false;
      }
      i = (i + 1) & mask;
    }
  }

  public boolean contains(long value) {
    if (value == EMPTY) {
      return hasEmptyValue;
    }
    int i = slot(value);
    while (true) {
      long v = table[i];
      if (v == EMPTY) {
        return false;
      }
      if (v == value) {
        return true;
      }
      i = (i + 1) & mask;
    }
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  private int slot(long value) {
    long h = value * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private void grow() {
    long[] old = table;
    table = new long[old.length * 2];
    mask = table.length - 1;
    int keep = hasEmptyValue ? 1 : 0;
    size = keep;
    Arrays.stream(old)
        .filter(v -> v != EMPTY)
        .forEach(
            v -> {
              int i = slot(v);
              while (table[i] != EMPTY) {
                i = (i + 1) & mask;
              }
              table[i] = v;
              size++;
            });
  }
}
