package io.switchboard.testkit.process;

/** A child main for {@link ChildJvmTest}: says it is ready, then sleeps at most 60 s. */
public final class Sleeper {
  private Sleeper() {}

  public static void main(String[] args) throws InterruptedException {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
    System.out.println(
        "ready " + String.join(",", args) + " env=" + System.getenv("SLEEPER_VALUE"));
    System.out.flush();
    Thread.sleep(60_000);
    System.out.println("woke up");
  }
}
