package io.switchboard.sandbox;

import io.switchboard.app.Main;
import java.util.List;
import picocli.CommandLine;

/**
 * The {@code switchboard} command line that {@code ./switchboard} runs: the production commands of
 * {@link Main} plus the ones that need the test kit's in-process broker and mock provider ({@code
 * demo}, {@code dev}, {@code bench}, {@code mock-provider}). The production jar and image carry
 * only {@link Main}.
 */
public final class SandboxMain {
  static {
    Main.useSwitchboardLogging();
  }

  private SandboxMain() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line, for tests. */
  public static CommandLine commandLine() {
    return Main.commandLine(
        List.of(
            new DemoCommand(), new DevCommand(), new BenchCommand(), new MockProviderCommand()));
  }
}
