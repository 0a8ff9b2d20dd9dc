package io.switchboard.client.batch.internal;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * A compact set of custom ids: their 64-bit hashes in a {@link LongHashSet}, except for the
 * hashes known to be shared by two different ids of the input (found by the input scan), whose
 * ids are kept exactly. So membership is exact among the input's ids; an id from outside the
 * input (a reply or output line of an earlier, different input) could only be mistaken for an
 * input id by a 64-bit collision with it.
 */
public final class CustomIdSet {
  private final LongHashSet hashes;
  private final LongHashSet ambiguous;
  private final Set<String> exact = new HashSet<>();

  /**
   * @param expected expected size
   * @param ambiguous hashes shared by different ids of the input
   */
  public CustomIdSet(int expected, LongHashSet ambiguous) {
    this(new LongHashSet(expected), ambiguous, Set.of());
  }

  /** A set over existing hashes, with the exact ids of the ambiguous ones. */
  CustomIdSet(LongHashSet hashes, LongHashSet ambiguous, Set<String> exactIds) {
    this.hashes = hashes;
    this.ambiguous = ambiguous;
    this.exact.addAll(exactIds);
  }

  /** Adds {@code id}; false when it was already there. */
  public boolean add(String id) {
    long h = hash(id);
    return ambiguous.contains(h) ? exact.add(id) : hashes.add(h);
  }

  public boolean contains(String id) {
    long h = hash(id);
    return ambiguous.contains(h) ? exact.contains(id) : hashes.contains(h);
  }

  public int size() {
    return hashes.size() + exact.size();
  }

  /** A 64-bit hash of a string's UTF-8 bytes: FNV-1a, then the MurmurHash3 finalizer. */
  public static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
