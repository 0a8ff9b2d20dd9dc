package io.switchboard.schemas.metrics;

import java.util.List;
import java.util.Objects;

/**
 * A meter of a Switchboard process, declared once: implemented by the enum that lists every meter
 * of a process (the router's, the worker's). Meter names and tag keys are a contract with
 * dashboards and alerts.
 */
public interface MeterDefinition {
  /** The kind of meter. */
  enum Type {
    COUNTER,
    TIMER,
    GAUGE
  }

  /** Tag keys used by meters. */
  final class Tag {
    public static final String DEPLOYMENT = "deployment";
    public static final String MODEL = "model";
    public static final String PROVIDER = "provider";
    public static final String OUTCOME = "outcome";

    /** A request's class ({@code interactive}, {@code default}, {@code batch}). */
    public static final String PRIORITY = "priority";

    private Tag() {}
  }

  /**
   * What a meter is.
   *
   * @param meterName the Micrometer name (dotted)
   * @param type counter, timer or gauge
   * @param description one line for the scrape output
   * @param baseUnit the base unit, or null
   * @param tagKeys the tag keys, in the order the binder expects their values
   */
  record Spec(
      String meterName, Type type, String description, String baseUnit, List<String> tagKeys) {
    public Spec {
      Objects.requireNonNull(meterName, "meterName");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(description, "description");
      tagKeys = List.copyOf(tagKeys);
    }
  }

  Spec spec();

  default String meterName() {
    return spec().meterName();
  }

  default Type type() {
    return spec().type();
  }

  default String description() {
    return spec().description();
  }

  default String baseUnit() {
    return spec().baseUnit();
  }

  default List<String> tagKeys() {
    return spec().tagKeys();
  }

  /**
   * The meter's tag keys paired with {@code values}, in order, as alternating key and value (the
   * shape of Micrometer's {@code Tags.of(String...)}); a null value becomes the empty string.
   *
   * @throws IllegalArgumentException when the number of values is not the number of tag keys
   */
  default String[] tagPairs(String... values) {
    List<String> keys = tagKeys();
    if (keys.size() != values.length) {
      throw new IllegalArgumentException(
          this + " takes tags " + keys + ", got " + values.length + " values");
    }
    String[] pairs = new String[values.length * 2];
    for (int i = 0; i < values.length; i++) {
      pairs[2 * i] = keys.get(i);
      pairs[2 * i + 1] = values[i] == null ? "" : values[i];
    }
    return pairs;
  }
}
