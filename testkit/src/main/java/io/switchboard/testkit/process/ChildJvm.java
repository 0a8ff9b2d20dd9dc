package io.switchboard.testkit.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM running one main class on a given class path, with its own environment and its
 * standard output and error merged into one log file. Built for crash tests: {@link
 * #stop(Duration)} sends SIGTERM (the child's shutdown hooks run), {@link #kill()} sends SIGKILL
 * (nothing runs), and {@link #close()} kills whatever is still alive, so a test that closes every
 * child in a {@code finally} leaves no orphan.
 *
 * <pre>{@code
 * try (ChildJvm worker = ChildJvm.builder("io.switchboard.app.Main")
 *     .args("worker", "--config", config.toString())
 *     .env("FAKE_OPENAI_KEY", key)
 *     .log(dir.resolve("worker-1.log"))
 *     .start()) {
 *   ...
 *   worker.kill();
 * }
 * }</pre>
 */
public final class ChildJvm implements AutoCloseable {
  private final String name;
  private final List<String> command;
  private final Path log;
  private final Process process;

  /**
   * Kills the child when this JVM exits without closing it (Ctrl-C of a bench, a crashed test run).
   */
  private final Thread reaper;

  private ChildJvm(String name, List<String> command, Path log, Process process) {
    this.name = name;
    this.command = command;
    this.log = log;
    this.process = process;
    this.reaper = new Thread(process::destroyForcibly, "reaper-" + name);
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /**
   * A builder for a child JVM running {@code mainClass} on this JVM's class path ({@link
   * ClassPath#current()}).
   */
  public static Builder builder(String mainClass) {
    return new Builder(mainClass);
  }

  /** The name given to the builder (used in messages). */
  public String name() {
    return name;
  }

  /** The operating system's process id. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The full command line that started the child. */
  public List<String> command() {
    return command;
  }

  /** The file holding the child's standard output and error. */
  public Path logFile() {
    return log;
  }

  /** The child's output so far, line by line (empty if nothing was written yet). */
  public List<String> logLines() {
    try {
      return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the log of " + name + " at " + log, e);
    }
  }

  /** The child's output so far as one string. */
  public String logText() {
    return String.join("\n", logLines());
  }

  /**
   * Waits until a line of the log matches, or throws when the child exits or {@code timeout} passes
   * first (the message carries the end of the log).
   */
  public String awaitLogLine(Predicate<String> matches, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (String line : logLines()) {
        if (matches.test(line)) {
          return line;
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited with "
                + process.exitValue()
                + " before the awaited log line\n"
                + tail());
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            name + ": awaited log line not seen within " + timeout + "\n" + tail());
      }
      Thread.sleep(100);
    }
  }

  /** The last lines of the log, for failure messages. */
  public String tail() {
    List<String> lines = logLines();
    String state = process.isAlive() ? "running" : "exited " + process.exitValue();
    return "--- last lines of "
        + log
        + " ("
        + state
        + ") ---\n"
        + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /**
   * Graceful stop: SIGTERM, so the child's shutdown hooks run; SIGKILL if it is still alive after
   * {@code grace}.
   *
   * @return the exit code, or -1 when it had to be killed
   */
  public int stop(Duration grace) throws InterruptedException {
    if (!process.isAlive()) {
      return process.exitValue();
    }
    process.destroy();
    if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    kill();
    return -1;
  }

  /** SIGKILL, waiting (at most 30 s) until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " (pid " + pid() + ") still alive 30 s after SIGKILL");
    }
  }

  /**
   * Waits for the child to exit on its own; returns its exit code, or throws after {@code timeout}.
   */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(name + " still running after " + timeout + "\n" + tail());
    }
    return process.exitValue();
  }

  /** Kills the child if it is still alive. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "ChildJvm["
        + name
        + ", pid "
        + process.pid()
        + (process.isAlive() ? ", alive" : ", exited")
        + "]";
  }

  /** Builds and starts a {@link ChildJvm}. */
  public static final class Builder {
    private final String mainClass;
    private String name;
    private String classPath;
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> removedEnv = new ArrayList<>();
    private Path log;
    private Path workingDir;

    private Builder(String mainClass) {
      this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
      this.name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    }

    /** A name for messages (default: the main class's simple name). */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The class path (default {@link ClassPath#current()}). */
    public Builder classPath(String classPath) {
      this.classPath = Objects.requireNonNull(classPath, "classPath");
      return this;
    }

    /** JVM options before the main class, e.g. {@code -Xmx256m} or {@code -Dkey=value}. */
    public Builder jvmArgs(String... jvmArgs) {
      this.jvmArgs.addAll(List.of(jvmArgs));
      return this;
    }

    /** Arguments after the main class. */
    public Builder args(String... args) {
      this.args.addAll(List.of(args));
      return this;
    }

    /** Sets an environment variable of the child (it inherits this JVM's environment otherwise). */
    public Builder env(String name, String value) {
      env.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value of " + name));
      return this;
    }

    /** Removes an inherited environment variable. */
    public Builder withoutEnv(String name) {
      removedEnv.add(name);
      return this;
    }

    /** Where standard output and error go (default: a new temporary file). */
    public Builder log(Path log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    /** The working directory (default: this JVM's). */
    public Builder workingDir(Path dir) {
      this.workingDir = dir;
      return this;
    }

    /** Starts the child; it is running (not necessarily ready) when this returns. */
    public ChildJvm start() {
      try {
        Path logFile =
            log != null ? log : Files.createTempFile("switchboard-" + name + "-", ".log");
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath != null ? classPath : ClassPath.current());
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder pb =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        if (workingDir != null) {
          pb.directory(workingDir.toFile());
        }
        removedEnv.forEach(pb.environment()::remove);
        pb.environment().putAll(env);
        Process process = pb.start();
        process.getOutputStream().close();
        return new ChildJvm(name, List.copyOf(command), logFile, process);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot start child JVM " + name + " (" + mainClass + ")", e);
      }
    }
  }
}
