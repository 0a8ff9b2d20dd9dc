package io.switchboard.client.batch.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The custom ids of a batch input, and which of them have an output line and an errors-file line:
 * the only per-line memory a batch keeps. Each id is its 64-bit hash in one sorted {@code long[]}
 * (8 bytes a line, searched by bisection), plus two bits a line for "answered" and "error written".
 * Hashes known to be shared by two different ids of the input (found by the input scan) keep their
 * ids exactly, each with its own position. So membership is exact among the input's ids; an id from
 * outside the input (an output line of an earlier, different input) could only be mistaken for an
 * input id by a 64-bit collision with it.
 */
public final class CustomIds {
  private final long[] hashes;
  private final int size;
  private final LongHashSet ambiguous;
  private final Map<String, Integer> exact = new HashMap<>();
  private final BitSet answered;
  private final BitSet errorWritten;
  private int answeredCount;

  /**
   * @param sortedUnique sorted hashes without repeats in {@code [0, size)} (the array is kept, not
   *     copied)
   * @param ambiguous hashes shared by different ids of the input
   * @param exactIds the ids of the ambiguous hashes
   */
  CustomIds(long[] sortedUnique, int size, LongHashSet ambiguous, Set<String> exactIds) {
    this.hashes = sortedUnique;
    this.size = size;
    this.ambiguous = ambiguous;
    exactIds.stream().sorted().forEach(id -> exact.put(id, size + exact.size()));
    this.answered = new BitSet(size + exact.size());
    this.errorWritten = new BitSet(size + exact.size());
  }

  /** A set of the given ids (tests and small inputs). */
  public static CustomIds of(String... ids) {
    long[] h = Arrays.stream(ids).mapToLong(CustomIds::hash).sorted().distinct().toArray();
    return new CustomIds(h, h.length, new LongHashSet(), Set.of());
  }

  /** The position of an input id, or -1 when it is not one. */
  private int indexOf(String id) {
    long h = hash(id);
    if (!ambiguous.isEmpty() && ambiguous.contains(h)) {
      return exact.getOrDefault(id, -1);
    }
    int i = Arrays.binarySearch(hashes, 0, size, h);
    return i < 0 ? -1 : i;
  }

  /** Whether {@code id} is a custom id of the input. */
  public boolean contains(String id) {
    return indexOf(id) >= 0;
  }

  /** How many distinct custom ids the input has. */
  public int size() {
    return size - ambiguousHashes() + exact.size();
  }

  private int ambiguousHashes() {
    return ambiguous.size();
  }

  /** Marks an input id answered; false when it is not an input id or was answered already. */
  public boolean markAnswered(String id) {
    int i = indexOf(id);
    if (i < 0 || answered.get(i)) {
      return false;
    }
    answered.set(i);
    answeredCount++;
    return true;
  }

  /** Whether an input id has its output line. */
  public boolean isAnswered(String id) {
    int i = indexOf(id);
    return i >= 0 && answered.get(i);
  }

  /** How many input ids have their output line. */
  public int answered() {
    return answeredCount;
  }

  /**
   * Marks an input id's error line written; false when it is not an input id or was marked already.
   */
  public boolean markErrorWritten(String id) {
    int i = indexOf(id);
    if (i < 0 || errorWritten.get(i)) {
      return false;
    }
    errorWritten.set(i);
    return true;
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
