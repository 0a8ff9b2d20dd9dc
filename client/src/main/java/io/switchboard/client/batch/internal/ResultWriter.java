package io.switchboard.client.batch.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.ReplyStatus;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.json.Json;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Appends one output line per custom id as its reply arrives: each line is handed to the operating
 * system in one write before the next reply is taken, so a killed process loses at most the line
 * being written (cut by {@link OutputFile#truncatePartialLastLine} on resume). Replies are
 * de-duplicated by custom id; replies for ids outside the input are skipped. Error replies also go
 * to the errors file, written before the output line and de-duplicated too.
 */
public final class ResultWriter implements AutoCloseable {
  private final OutputStream out;
  private final OutputStream errors;
  private final LineFormat format;
  private final String idPrefix;
  private final CustomIds ids;
  private final LongHashSet invalidLinesWritten;
  private final Summary summary;
  private Progress progress;
  private long writtenNow;
  private long duplicates;
  private long foreign;
  private IOException failure;

  /**
   * @param ids the input's custom ids, marked as their output (and error) lines are written
   * @param invalidLinesWritten line numbers of invalid lines already in the errors file
   */
  public ResultWriter(
      Path output,
      Path errorsFile,
      LineFormat format,
      String batchId,
      CustomIds ids,
      LongHashSet invalidLinesWritten,
      Summary summary)
      throws IOException {
    this.out = new FileOutputStream(output.toFile(), true);
    this.errors = errorsFile == null ? null : new FileOutputStream(errorsFile.toFile(), true);
    this.format = format;
    this.idPrefix = batchId + ":";
    this.ids = ids;
    this.invalidLinesWritten = invalidLinesWritten;
    this.summary = summary;
  }

  /** The request id of a custom id in this batch. */
  public String requestId(String customId) {
    return idPrefix + customId;
  }

  public synchronized void progress(Progress p) {
    this.progress = p;
  }

  /** Whether a custom id already has its output line. */
  public synchronized boolean answered(String customId) {
    return ids.isAnswered(customId);
  }

  /**
   * Writes the reply's output line unless its custom id has one already.
   *
   * @throws UncheckedIOException when a file cannot be written (the batch must stop)
   */
  public synchronized void accept(RouteReply reply) {
    if (failure != null) {
      throw new UncheckedIOException(failure);
    }
    if (!reply.id().startsWith(idPrefix)) {
      foreign++;
      return;
    }
    String customId = reply.id().substring(idPrefix.length());
    if (!ids.contains(customId)) {
      foreign++;
      return;
    }
    if (ids.isAnswered(customId)) {
      duplicates++;
      return;
    }
    ObjectNode line = format.output(customId, reply);
    boolean ok = reply.status() == ReplyStatus.OK;
    try {
      if (!ok && errors != null && ids.markErrorWritten(customId)) {
        errors.write(bytes(line));
      }
      out.write(bytes(line));
    } catch (IOException e) {
      failure = e;
      throw new UncheckedIOException(e);
    }
    ids.markAnswered(customId);
    writtenNow++;
    summary.add(line.get("switchboard"));
    if (progress != null) {
      progress.answered(ok);
    }
  }

  /** Writes an input line that was not sent to the errors file (once per line number). */
  public synchronized void invalid(long lineNumber, String customId, String message)
      throws IOException {
    if (errors != null && invalidLinesWritten.add(lineNumber)) {
      errors.write(bytes(format.invalidOutput(lineNumber, customId, message)));
    }
  }

  private static byte[] bytes(ObjectNode line) {
    return (Json.toString(line) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Output lines written by this run. */
  public synchronized long writtenNow() {
    return writtenNow;
  }

  /** Replies skipped because their custom id had an output line already. */
  public synchronized long duplicates() {
    return duplicates;
  }

  /** Replies skipped because their custom id is not in the input (or of another batch). */
  public synchronized long foreign() {
    return foreign;
  }

  /** The first write failure, if any. */
  public synchronized IOException failure() {
    return failure;
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      out.close();
    } finally {
      if (errors != null) {
        errors.close();
      }
    }
  }
}
