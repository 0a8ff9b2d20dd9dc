package io.switchboard.testkit.mock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Changes of every deployment's real limit ({@link Behavior#rpm()}) at given times from the start,
 * for a provider whose limit moves while clients run: {@code 120=600,300=150} raises it to 600 two
 * minutes in and drops it to 150 at five.
 *
 * @param steps the changes, in time order
 */
public record RpmSchedule(List<Step> steps) {
  /** From {@code after} on, the mock admits {@code rpm} calls per minute (0: unlimited). */
  public record Step(Duration after, int rpm) {
    public Step {
      if (after.isNegative() || rpm < 0) {
        throw new IllegalArgumentException(
            "a step needs a time >= 0 and an rpm >= 0, was " + after + " and " + rpm);
      }
    }
  }

  public RpmSchedule {
    steps = List.copyOf(steps);
    for (int i = 1; i < steps.size(); i++) {
      if (steps.get(i).after().compareTo(steps.get(i - 1).after()) <= 0) {
        throw new IllegalArgumentException("the steps must be in time order, were " + steps);
      }
    }
  }

  /**
   * Reads {@code SECONDS=RPM[,SECONDS=RPM...]}.
   *
   * @throws IllegalArgumentException naming the step that is not of that form
   */
  public static RpmSchedule parse(String text) {
    List<Step> steps = new ArrayList<>();
    for (String part : text.split(",")) {
      String[] kv = part.trim().split("=");
      try {
        if (kv.length != 2) {
          throw new NumberFormatException();
        }
        steps.add(
            new Step(
                Duration.ofMillis(Math.round(Double.parseDouble(kv[0].trim()) * 1000)),
                Integer.parseInt(kv[1].trim())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "an rpm schedule is SECONDS=RPM[,SECONDS=RPM...], '" + part.trim() + "' is not");
      }
    }
    return new RpmSchedule(steps);
  }

  /**
   * Applies each step to {@code mock}'s default behaviour (dropping deployments' own) at its time
   * from now, on {@code timer}.
   */
  public List<ScheduledFuture<?>> start(MockProvider mock, ScheduledExecutorService timer) {
    List<ScheduledFuture<?>> scheduled = new ArrayList<>();
    for (Step step : steps) {
      scheduled.add(
          timer.schedule(
              () ->
                  mock.behaveAll(
                      mock.behaviorOf(MockProvider.DEFAULT_DEPLOYMENT).withRpm(step.rpm())),
              step.after().toMillis(),
              TimeUnit.MILLISECONDS));
    }
    return scheduled;
  }
}
