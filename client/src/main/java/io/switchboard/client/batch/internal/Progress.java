package io.switchboard.client.batch.internal;

import io.switchboard.client.batch.ProgressMode;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Batch progress (done/total, rate, ETA, errors): with {@link ProgressMode#BAR} a one-line bar
 * redrawn with {@code \r} a few times a second; with {@link ProgressMode#PLAIN} a plain line every
 * {@code interval} and one at the end; with {@link ProgressMode#NONE} nothing.
 */
public final class Progress implements AutoCloseable {
  private static final Duration REDRAW = Duration.ofMillis(250);
  private static final int BAR = 24;

  private final PrintStream out;
  private final ProgressMode mode;
  private final boolean terminal;
  private final Duration interval;
  private final Clock clock;
  private final long total;
  private final long alreadyDone;
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final long startMillis;
  private Thread thread;
  private volatile boolean running;

  /**
   * @param mode how to draw
   * @param total lines to answer
   * @param alreadyDone lines answered before this run
   * @param alreadyFailed error lines written before this run
   */
  public Progress(
      PrintStream out,
      ProgressMode mode,
      Duration interval,
      Clock clock,
      long total,
      long alreadyDone,
      long alreadyFailed) {
    this.out = out;
    this.mode = mode;
    this.terminal = mode == ProgressMode.BAR;
    this.interval = interval;
    this.clock = clock;
    this.total = total;
    this.alreadyDone = alreadyDone;
    this.errors.set(alreadyFailed);
    this.startMillis = clock.millis();
  }

  /** Starts the drawing thread. */
  public synchronized void start() {
    if (mode == ProgressMode.NONE) {
      return;
    }
    running = true;
    thread = new Thread(this::loop, "switchboard-batch-progress");
    thread.setDaemon(true);
    thread.start();
  }

  /** One more line answered in this run. */
  public void answered(boolean ok) {
    done.incrementAndGet();
    if (!ok) {
      errors.incrementAndGet();
    }
  }

  private void loop() {
    long every = terminal ? REDRAW.toMillis() : interval.toMillis();
    while (running) {
      try {
        Thread.sleep(every);
      } catch (InterruptedException e) {
        return;
      }
      if (running) {
        draw();
      }
    }
  }

  private synchronized void draw() {
    if (terminal) {
      out.print("\r" + line() + "   ");
    } else {
      out.println("batch: " + line());
    }
    out.flush();
  }

  /** The progress line: done/total, percent, rate, ETA, errors. */
  public String line() {
    long now = done.get();
    long all = alreadyDone + now;
    double seconds = Math.max(0.001, (clock.millis() - startMillis) / 1000.0);
    double rate = now / seconds;
    double fraction = total == 0 ? 1 : Math.min(1, (double) all / total);
    String eta = rate <= 0 ? "--" : duration((long) Math.ceil(Math.max(0, total - all) / rate));
    String text =
        String.format(
            Locale.ROOT,
            "%d/%d %5.1f%% %8.1f/s ETA %s errors %d",
            all,
            total,
            fraction * 100,
            rate,
            eta,
            errors.get());
    if (!terminal) {
      return text;
    }
    int filled = (int) Math.round(fraction * BAR);
    return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + text;
  }

  static String duration(long seconds) {
    return seconds >= 3600
        ? String.format(
            Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }

  /** Stops the thread and draws the final state on its own line. */
  @Override
  public void close() {
    running = false;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (mode == ProgressMode.NONE) {
      return;
    }
    synchronized (this) {
      out.print(terminal ? "\r" + line() + "   \n" : "batch: " + line() + "\n");
      out.flush();
    }
  }
}
