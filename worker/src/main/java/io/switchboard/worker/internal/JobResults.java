package io.switchboard.worker.internal;

import io.switchboard.worker.offload.BatchResult;
import io.switchboard.worker.offload.OffloadPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The results of an ended batch job in a local file, with an index from dispatch offset to the
 * position of its line: memory grows by an index entry per request, never by a body. Owned by the
 * offload thread.
 */
final class JobResults implements AutoCloseable {
  private final Path file;
  private final Map<Long, Long> positions = new HashMap<>();
  private final RandomAccessFile reader;

  /** Indexes {@code file}, written by the batch client: one {@link BatchResult} a line. */
  JobResults(Path file) throws IOException {
    this.file = file;
    this.reader = new RandomAccessFile(file.toFile(), "r");
    long position = 0;
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    try (var in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
      long start = 0;
      for (int b; (b = in.read()) != -1; ) {
        position++;
        if (b == '\n') {
          index(line, start);
          line.reset();
          start = position;
        } else {
          line.write(b);
        }
      }
      index(line, start);
    }
  }

  private void index(ByteArrayOutputStream line, long start) {
    if (line.size() == 0) {
      return;
    }
    String text = line.toString(StandardCharsets.UTF_8);
    int at = text.indexOf("\"custom_id\":\"");
    if (at < 0) {
      return;
    }
    int from = at + "\"custom_id\":\"".length();
    long offset = OffloadPolicy.offsetOf(text.substring(from, text.indexOf('"', from)));
    if (offset >= 0) {
      positions.put(offset, start);
    }
  }

  /** The result of the request at dispatch {@code offset}, or null when the job did not run it. */
  BatchResult at(long offset) {
    Long position = positions.get(offset);
    if (position == null) {
      return null;
    }
    try {
      reader.seek(position);
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b; (b = reader.read()) != -1 && b != '\n'; ) {
        line.write(b);
      }
      return BatchResult.fromLine(line.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("reading batch results from " + file, e);
    }
  }

  /** How many requests have a result. */
  int size() {
    return positions.size();
  }

  @Override
  public void close() {
    try {
      reader.close();
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temporary file in the worker's own directory, removed with it at the latest
    }
  }
}
