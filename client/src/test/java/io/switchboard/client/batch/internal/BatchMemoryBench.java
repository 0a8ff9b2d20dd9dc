package io.switchboard.client.batch.internal;

import io.switchboard.client.batch.BatchFormat;
import java.io.BufferedWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Not a test: measures the heap a batch keeps per input line. Writes (or reuses) an OpenAI Batch
 * file of {@code lines} lines, runs the input scan over it, marks every id answered and every tenth
 * errored as a full run does, and prints the live heap after a GC against the heap before. Run by
 * {@code bench/batch-memory.sh}; the figures are in docs/benchmarks.md.
 *
 * <p>Args: file, lines.
 */
public final class BatchMemoryBench {
  private BatchMemoryBench() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int lines = Integer.parseInt(args[1]);
    if (!Files.exists(file)) {
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (int i = 0; i < lines; i++) {
          w.write(
              "{\"custom_id\":\"request-"
                  + i
                  + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
                  + "\"body\":{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"question number "
                  + i
                  + "\"}],\"max_tokens\":64}}\n");
        }
      }
    }
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long before = live(memory);
    long start = System.nanoTime();
    InputScan.Result scan = InputScan.scan(file, LineFormat.of(BatchFormat.OPENAI, false), 50);
    long scanned = System.nanoTime();
    for (int i = 0; i < lines; i++) {
      scan.ids().markAnswered("request-" + i);
      if (i % 10 == 0) {
        scan.ids().markErrorWritten("request-" + i);
      }
    }
    long after = live(memory);
    System.out.printf(
        Locale.ROOT,
        "lines %d valid %d answered %d file %.1f MB%n",
        lines,
        scan.valid(),
        scan.ids().answered(),
        Files.size(file) / 1e6);
    System.out.printf(
        Locale.ROOT,
        "heap kept %.1f MB = %.2f bytes a line (max heap %d MB)%n",
        (after - before) / 1e6,
        (after - before) / (double) lines,
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.printf(
        Locale.ROOT,
        "scan %.1f s, marking %.1f s%n",
        (scanned - start) / 1e9,
        (System.nanoTime() - scanned) / 1e9);
    if (scan.ids().answered() != lines) {
      throw new IllegalStateException("not every id was marked");
    }
  }

  private static long live(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
