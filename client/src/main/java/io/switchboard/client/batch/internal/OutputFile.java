package io.switchboard.client.batch.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Repairs an append-only JSONL file after a crash. */
public final class OutputFile {
  private static final int CHUNK = 64 * 1024;

  private OutputFile() {}

  /**
   * Cuts a last line that has no newline (a write cut short by a crash).
   *
   * @return the number of bytes removed; 0 when the file is missing, empty or ends with a newline
   */
  public static long truncatePartialLastLine(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      if (size == 0) {
        return 0;
      }
      ByteBuffer buf = ByteBuffer.allocate(CHUNK);
      long end = size;
      while (end > 0) {
        long start = Math.max(0, end - CHUNK);
        buf.clear().limit((int) (end - start));
        int read = 0;
        while (read < end - start) {
          read += ch.read(buf, start + read);
        }
        for (int i = (int) (end - start) - 1; i >= 0; i--) {
          if (buf.get(i) == '\n') {
            long keep = start + i + 1;
            if (keep < size) {
              ch.truncate(keep);
            }
            return size - keep;
          }
        }
        end = start;
      }
      ch.truncate(0);
      return size;
    }
  }
}
