package io.switchboard.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/**
 * A request's class ({@code priority} in the request envelope). A deployment's budget serves the
 * classes in this order: interactive first, then default, then batch, which gets what is left.
 */
public enum Priority {
  /** A person is waiting for the answer. */
  INTERACTIVE("interactive"),
  /** Neither: what a request without a class is. */
  DEFAULT("default"),
  /** Offline work: served after the others, eligible for a provider's batch API. */
  BATCH("batch");

  private final String wire;

  Priority(String wire) {
    this.wire = wire;
  }

  /** The name on the wire. */
  @JsonValue
  public String wire() {
    return wire;
  }

  /** Every name accepted on the wire, highest class first. */
  public static List<String> names() {
    return Arrays.stream(values()).map(Priority::wire).toList();
  }

  /**
   * The class a wire name stands for; null reads as {@link #DEFAULT}.
   *
   * @throws IllegalArgumentException naming the value and the accepted names when it is none
   */
  @JsonCreator
  public static Priority fromName(String name) {
    if (name == null) {
      return DEFAULT;
    }
    for (Priority p : values()) {
      if (p.wire.equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "priority must be one of " + String.join(", ", names()) + ", not '" + name + "'");
  }

  /**
   * Jackson's filter that leaves {@link #DEFAULT} out of what is written: a request without a class
   * is written as it was read.
   */
  public static final class IsDefault {
    @Override
    public boolean equals(Object value) {
      return value == null || value == DEFAULT;
    }

    @Override
    public int hashCode() {
      return DEFAULT.hashCode();
    }
  }
}
