package io.switchboard.testkit.mock;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The calls a mock provider received, in columns of primitive arrays so that a benchmark's few
 * million calls cost about 30 bytes each (plus the request id). Deployment and model names are
 * stored once in a dictionary. Appends take one short lock.
 */
final class CallLog {
  private static final int CHUNK = 1 << 15;
  private static final String[] APIS = {Call.OPENAI, Call.AZURE, Call.ANTHROPIC, Call.UNKNOWN};

  private final List<Chunk> chunks = new ArrayList<>();
  private final Map<String, Integer> nameIds = new HashMap<>();
  private final List<String> names = new ArrayList<>();
  private long size;

  private static final class Chunk {
    final long[] atNanos = new long[CHUNK];
    final int[] deployment = new int[CHUNK];
    final int[] model = new int[CHUNK];
    final int[] latencyMs = new int[CHUNK];
    final short[] status = new short[CHUNK];
    final byte[] api = new byte[CHUNK];
    final boolean[] credential = new boolean[CHUNK];
    final String[] requestId = new String[CHUNK];
    final int[] tokens = new int[CHUNK];
  }

  synchronized void add(
      Instant at,
      String deployment,
      String api,
      String model,
      int status,
      long latencyMs,
      boolean credentialPresent,
      String requestId,
      int tokens) {
    int index = (int) (size % CHUNK);
    if (index == 0) {
      chunks.add(new Chunk());
    }
    Chunk c = chunks.get(chunks.size() - 1);
    c.atNanos[index] = at.getEpochSecond() * 1_000_000_000L + at.getNano();
    c.deployment[index] = nameId(deployment);
    c.model[index] = model == null ? -1 : nameId(model);
    c.latencyMs[index] = (int) Math.min(Integer.MAX_VALUE, Math.max(0, latencyMs));
    c.status[index] = (short) status;
    c.api[index] = apiId(api);
    c.credential[index] = credentialPresent;
    c.requestId[index] = requestId;
    c.tokens[index] = tokens;
    size++;
  }

  synchronized long size() {
    return size;
  }

  synchronized void clear() {
    chunks.clear();
    size = 0;
  }

  /** The calls of {@code deployment} (all calls when null), in the order they were answered. */
  synchronized List<Call> snapshot(String deployment) {
    Integer wanted = deployment == null ? null : nameIds.get(deployment);
    if (deployment != null && wanted == null) {
      return List.of();
    }
    List<Call> out =
        new ArrayList<>(deployment == null ? (int) Math.min(size, Integer.MAX_VALUE - 8) : 16);
    for (long i = 0; i < size; i++) {
      Chunk c = chunks.get((int) (i / CHUNK));
      int j = (int) (i % CHUNK);
      if (wanted != null && c.deployment[j] != wanted) {
        continue;
      }
      long nanos = c.atNanos[j];
      out.add(
          new Call(
              Instant.ofEpochSecond(
                  Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)),
              names.get(c.deployment[j]),
              APIS[c.api[j]],
              c.model[j] < 0 ? null : names.get(c.model[j]),
              c.status[j],
              c.latencyMs[j],
              c.credential[j],
              c.requestId[j],
              c.tokens[j]));
    }
    return out;
  }

  private int nameId(String name) {
    Integer id = nameIds.get(name);
    if (id == null) {
      id = names.size();
      names.add(name);
      nameIds.put(name, id);
    }
    return id;
  }

  private static byte apiId(String api) {
    for (byte i = 0; i < APIS.length; i++) {
      if (APIS[i].equals(api)) {
        return i;
      }
    }
    throw new IllegalArgumentException("unknown api " + api);
  }
}
