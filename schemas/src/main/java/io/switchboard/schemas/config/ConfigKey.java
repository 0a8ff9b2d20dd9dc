package io.switchboard.schemas.config;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One config key, declared once: where it sits, its JSON type, its default, its bounds and its doc.
 * Each config record declares its keys as constants and its compact constructor takes every
 * component through {@link #value}, so defaults and bounds live in the declaration alone; a test
 * proves the shipped {@code config.schema.json} says the same.
 *
 * <p>Bounds are inclusive and mean what JSON Schema means by them for the type: the value of an
 * {@code integer} or {@code number}, the length of a {@code string}, the item count of an {@code
 * array}.
 *
 * @param section the dotted path of the mapping that holds the key ({@code router_settings}, {@code
 *     model_list[]} for every entry of that list, empty for the top level)
 * @param name the key as written in YAML
 * @param type its JSON type
 * @param defaultValue the value when the key is absent; null when there is none (then absent means
 *     unset, and the doc says what unset does)
 * @param required whether the key must be given
 * @param min the least value, length or size allowed, or null
 * @param max the greatest value, length or size allowed, or null
 * @param allowed the only values allowed (as written in YAML), or empty for any
 * @param pattern what a string value must contain a match of, or null
 * @param secret whether a bad value must stay out of error messages
 * @param doc what the key does, also the schema property's {@code description}
 * @param <T> the Java type of the record component that holds the key
 */
public record ConfigKey<T>(
    String section,
    String name,
    Type type,
    T defaultValue,
    boolean required,
    Number min,
    Number max,
    List<String> allowed,
    Pattern pattern,
    boolean secret,
    String doc) {

  /** The JSON type of a key, as the schema's {@code type} names it. */
  public enum Type {
    BOOLEAN,
    INTEGER,
    NUMBER,
    STRING,
    OBJECT,
    ARRAY;

    /** The name JSON Schema uses. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ConfigKey {
    allowed = List.copyOf(allowed);
  }

  /** A boolean key. */
  public static ConfigKey<Boolean> bool(
      String section, String name, Boolean defaultValue, String doc) {
    return new ConfigKey<>(
        section, name, Type.BOOLEAN, defaultValue, false, null, null, List.of(), null, false, doc);
  }

  /**
   * A whole-number key; {@code N} is the component's type ({@code Integer}, {@code Long}, {@code
   * Short}).
   */
  public static <N extends Number> ConfigKey<N> integer(
      String section, String name, N defaultValue, String doc) {
    return new ConfigKey<>(
        section, name, Type.INTEGER, defaultValue, false, null, null, List.of(), null, false, doc);
  }

  /** A decimal-number key. */
  public static ConfigKey<Double> number(
      String section, String name, Double defaultValue, String doc) {
    return new ConfigKey<>(
        section, name, Type.NUMBER, defaultValue, false, null, null, List.of(), null, false, doc);
  }

  /** A string key, or a key whose value is written as one string (an enum). */
  public static <S> ConfigKey<S> string(String section, String name, S defaultValue, String doc) {
    return new ConfigKey<>(
        section, name, Type.STRING, defaultValue, false, null, null, List.of(), null, false, doc);
  }

  /** A mapping: a section of its own, or a map of names to values. */
  public static <O> ConfigKey<O> object(String section, String name, O defaultValue, String doc) {
    return new ConfigKey<>(
        section, name, Type.OBJECT, defaultValue, false, null, null, List.of(), null, false, doc);
  }

  /** A list. */
  public static <L> ConfigKey<L> array(String section, String name, L defaultValue, String doc) {
    return new ConfigKey<>(
        section, name, Type.ARRAY, defaultValue, false, null, null, List.of(), null, false, doc);
  }

  /** This key, which must be given. */
  public ConfigKey<T> asRequired() {
    return new ConfigKey<>(
        section, name, type, defaultValue, true, min, max, allowed, pattern, secret, doc);
  }

  /** This key with a lower bound. */
  public ConfigKey<T> atLeast(Number least) {
    return between(least, max);
  }

  /** This key with both bounds (either may be null for none). */
  public ConfigKey<T> between(Number least, Number most) {
    return new ConfigKey<>(
        section, name, type, defaultValue, required, least, most, allowed, pattern, secret, doc);
  }

  /** This key, whose value must be one of {@code values}. */
  public ConfigKey<T> oneOf(List<String> values) {
    return new ConfigKey<>(
        section, name, type, defaultValue, required, min, max, values, pattern, secret, doc);
  }

  /** This key, whose string value must contain a match of {@code regex}. */
  public ConfigKey<T> matching(String regex) {
    return new ConfigKey<>(
        section,
        name,
        type,
        defaultValue,
        required,
        min,
        max,
        allowed,
        Pattern.compile(regex),
        secret,
        doc);
  }

  /** This key, whose bad values are never shown in errors. */
  public ConfigKey<T> asSecret() {
    return new ConfigKey<>(
        section, name, type, defaultValue, required, min, max, allowed, pattern, true, doc);
  }

  /** The dotted path of the key, {@code router_settings.allowed_fails}. */
  public String path() {
    return section.isEmpty() ? name : section + "." + name;
  }

  /**
   * {@code given}, or the default when it is null, once checked against the bounds.
   *
   * @throws ConfigException naming {@link #path()} and the bad value
   */
  public T value(T given) {
    return value(given, section);
  }

  /**
   * {@link #value(Object)} for one instance of a repeated section: errors name {@code where} in
   * place of the section ({@code model_list['chat']} for {@code model_list[]}).
   */
  public T value(T given, String where) {
    T v = given == null ? defaultValue : given;
    String at = where.isEmpty() ? name : where + "." + name;
    if (v == null) {
      if (required) {
        throw new ConfigException(at + ": is required");
      }
      return null;
    }
    checkBounds(v, at);
    if (v instanceof String s) {
      if (!allowed.isEmpty() && !allowed.contains(s)) {
        throw new ConfigException(at + ": " + show(s) + " is not one of " + allowed);
      }
      if (pattern != null && !pattern.matcher(s).find()) {
        // A secret's doc says what form it takes, since its value cannot be shown.
        throw new ConfigException(
            at
                + ": "
                + show(s)
                + " does not match "
                + pattern.pattern()
                + (secret ? " (" + doc + ")" : ""));
      }
    }
    return v;
  }

  private void checkBounds(T v, String at) {
    if (min == null && max == null) {
      return;
    }
    String what;
    double measure;
    if (v instanceof Number n) {
      what = show(v) + " is";
      measure = n.doubleValue();
    } else if (v instanceof String s) {
      what = show(s) + " has length " + s.length() + ",";
      measure = s.length();
    } else if (v instanceof Collection<?> c) {
      what = "has " + c.size() + " entries,";
      measure = c.size();
    } else {
      return;
    }
    // Negated comparisons, so that NaN fails both.
    if (min != null && !(measure >= min.doubleValue())) {
      throw new ConfigException(at + ": " + what + " below the minimum of " + min);
    }
    if (max != null && !(measure <= max.doubleValue())) {
      throw new ConfigException(at + ": " + what + " above the maximum of " + max);
    }
  }

  private String show(Object v) {
    if (secret) {
      return "the value given (not shown)";
    }
    return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
  }
}
