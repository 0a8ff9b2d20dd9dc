package io.switchboard.client.batch.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks every line of a batch input before anything is sent, streaming the file: memory holds
 * one 64-bit hash per custom id, not the lines. A hash seen twice marks a suspect; a second,
 * rare pass over the file then tells real duplicates (reported with both line numbers) from two
 * different ids sharing a hash (kept exactly from then on, see {@link CustomIdSet}). Blank lines
 * are skipped.
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
   * @param ids the custom ids of the valid lines
   * @param ambiguous hashes shared by two different custom ids
   * @param duplicateLines line numbers repeating an earlier custom id, with the message
   */
  public record Result(long valid, long invalid, List<LineError> errors, CustomIdSet ids, LongHashSet ambiguous,
      Map<Long, String> duplicateLines) {}

  private InputScan() {}

  /** Scans {@code input}, keeping at most {@code cap} error messages. */
  public static Result scan(Path input, LineFormat format, int cap) throws IOException {
    LongHashSet seen = new LongHashSet(1 << 16);
    LongHashSet suspects = new LongHashSet();
    List<LineError> errors = new ArrayList<>();
    long valid = 0;
    long invalid = 0;
    try (Lines lines = new Lines(input)) {
      for (String line = lines.next(); line != null; line = lines.next()) {
        try {
          BatchLine parsed = format.parse(line);
          valid++;
          long h = CustomIdSet.hash(parsed.customId());
          if (!seen.add(h)) {
            suspects.add(h);
          }
        } catch (InvalidLineException e) {
          invalid++;
          if (errors.size() < cap) {
            errors.add(new LineError(lines.number(), e.getMessage()));
          }
        }
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
          long h = CustomIdSet.hash(parsed.customId());
          if (!suspects.contains(h)) {
            continue;
          }
          Long first = firstLine.putIfAbsent(parsed.customId(), lines.number());
          if (first != null) {
            duplicates.put(lines.number(), "duplicate custom_id '" + parsed.customId() + "' (first on line " + first + ")");
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
      duplicates.entrySet().stream().sorted(Map.Entry.comparingByKey()).limit(cap)
          .forEach(e -> errors.add(new LineError(e.getKey(), e.getValue())));
      errors.sort(Comparator.comparingLong(LineError::line));
      if (errors.size() > cap) {
        errors.subList(cap, errors.size()).clear();
      }
    }
    return new Result(valid, invalid, List.copyOf(errors), new CustomIdSet(seen, ambiguous, exact), ambiguous,
        Map.copyOf(duplicates));
  }

  /** The non-blank lines of a UTF-8 file with their 1-based line numbers; a leading BOM is dropped. */
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
