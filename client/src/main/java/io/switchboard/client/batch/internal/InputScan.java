package io.switchboard.client.batch.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks every line of a batch input before anything is sent, streaming the file: memory holds one
 * 64-bit hash per line in a single {@code long[]} sized by a first, cheap pass that counts the
 * file's lines, not the lines themselves. The hashes are then sorted; a hash seen twice marks a
 * suspect, and a second, rare pass over the file tells real duplicates (reported with both line
 * numbers) from two different ids sharing a hash (kept exactly from then on, see {@link
 * CustomIds}). Blank lines are skipped.
 */
public final class InputScan {
  /** One invalid line. */
  public record LineError(long line, String message) {}

  /**
   * The scan's findings.
   *
   * @param valid lines that will be sent (the first line of each custom id)
   * @param invalid lines that will not: malformed, or repeating a custom id
   * @param errors the first invalid lines, in line order, up to the cap
   * @param ids the custom ids of the valid lines, which also track which are answered
   * @param ambiguous hashes shared by two different custom ids
   * @param duplicateLines line numbers repeating an earlier custom id, with the message
   */
  public record Result(
      long valid,
      long invalid,
      List<LineError> errors,
      CustomIds ids,
      LongHashSet ambiguous,
      Map<Long, String> duplicateLines) {}

  private InputScan() {}

  /** Scans {@code input}, keeping at most {@code cap} error messages. */
  public static Result scan(Path input, LineFormat format, int cap) throws IOException {
    long lineCount = countLines(input);
    if (lineCount > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          input
              + " has "
              + lineCount
              + " lines; a batch takes at most "
              + (Integer.MAX_VALUE - 8)
              + ": split it");
    }
    long[] hashes = new long[(int) lineCount];
    int hashed = 0;
    List<LineError> errors = new ArrayList<>();
    long valid = 0;
    long invalid = 0;
    try (Lines lines = new Lines(input)) {
      for (String line = lines.next(); line != null; line = lines.next()) {
        try {
          BatchLine parsed = format.parse(line);
          valid++;
          if (hashed == hashes.length) {
            // lines ended by a lone \r, or a file that grew since it was counted
            hashes = Arrays.copyOf(hashes, Math.max(16, hashed * 2));
          }
          hashes[hashed++] = CustomIds.hash(parsed.customId());
        } catch (InvalidLineException e) {
          invalid++;
          if (errors.size() < cap) {
            errors.add(new LineError(lines.number(), e.getMessage()));
          }
        }
      }
    }
    Arrays.sort(hashes, 0, hashed);
    LongHashSet suspects = new LongHashSet();
    int unique = 0;
    for (int i = 0; i < hashed; i++) {
      if (unique > 0 && hashes[i] == hashes[unique - 1]) {
        suspects.add(hashes[i]);
      } else {
        hashes[unique++] = hashes[i];
      }
    }
    LongHashSet ambiguous = new LongHashSet();
    Map<Long, String> duplicates = new HashMap<>();
    Set<String> exact = new HashSet<>();
    if (!suspects.isEmpty()) {
      Map<String, Long> firstLine = new HashMap<>();
      Map<Long, String> idOfHash = new HashMap<>();
      try (Lines lines = new Lines(input)) {
        for (String line = lines.next(); line != null; line = lines.next()) {
          BatchLine parsed;
          try {
            parsed = format.parse(line);
          } catch (InvalidLineException e) {
            continue;
          }
          long h = CustomIds.hash(parsed.customId());
          if (!suspects.contains(h)) {
            continue;
          }
          Long first = firstLine.putIfAbsent(parsed.customId(), lines.number());
          if (first != null) {
            duplicates.put(
                lines.number(),
                "duplicate custom_id '" + parsed.customId() + "' (first on line " + first + ")");
            continue;
          }
          String other = idOfHash.putIfAbsent(h, parsed.customId());
          if (other != null) {
            ambiguous.add(h);
            exact.add(other);
            exact.add(parsed.customId());
          }
        }
      }
      valid -= duplicates.size();
      invalid += duplicates.size();
      duplicates.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .limit(cap)
          .forEach(e -> errors.add(new LineError(e.getKey(), e.getValue())));
      errors.sort(Comparator.comparingLong(LineError::line));
      if (errors.size() > cap) {
        errors.subList(cap, errors.size()).clear();
      }
    }
    return new Result(
        valid,
        invalid,
        List.copyOf(errors),
        new CustomIds(hashes, unique, ambiguous, exact),
        ambiguous,
        Map.copyOf(duplicates));
  }

  /** The number of lines of a file (blank ones included): an upper bound of its valid lines. */
  static long countLines(Path file) throws IOException {
    long lines = 0;
    byte last = '\n';
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            lines++;
          }
        }
        if (n > 0) {
          last = buffer[n - 1];
        }
      }
    }
    return last == '\n' ? lines : lines + 1;
  }

  /**
   * The non-blank lines of a UTF-8 file with their 1-based line numbers; a leading BOM is dropped.
   */
  public static final class Lines implements AutoCloseable {
    private final BufferedReader reader;
    private long number;

    public Lines(Path file) throws IOException {
      this.reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }

    /** The next non-blank line, or null at the end. */
    public String next() throws IOException {
      String line;
      do {
        line = reader.readLine();
        if (line == null) {
          return null;
        }
        number++;
        if (number == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
      } while (line.isBlank());
      return line;
    }

    /** The line number of the line {@link #next()} returned last. */
    public long number() {
      return number;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }
}
