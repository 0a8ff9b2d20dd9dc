package io.switchboard.app;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * Switchboard's logging, set from outside the jar. Log4j 2 reads {@code switchboard-log4j2.xml}
 * (unless {@code -Dlog4j2.configurationFile} names another file), which writes to standard error
 *
 * <ul>
 *   <li>as text, or as one JSON object a line when {@value #FORMAT_ENV} is {@code json} (Log4j's
 *       JsonTemplateLayout, in the Elastic Common Schema: for log shippers);
 *   <li>with Switchboard's own lines at the level {@value #LEVEL_ENV} names (default {@code info});
 *       {@code --verbose} makes it {@code debug} and {@code --quiet} {@code warn}, whatever the
 *       environment says. Kafka's own lines stay at {@code error}.
 * </ul>
 */
final class Logging {
  /** The environment variable naming the level of Switchboard's own log lines. */
  static final String LEVEL_ENV = "SWITCHBOARD_LOG_LEVEL";
  /** The environment variable naming the format of log lines: {@code text} (default) or {@code json}. */
  static final String FORMAT_ENV = "SWITCHBOARD_LOG_FORMAT";
  /** The system property the configuration file reads the format from. */
  static final String FORMAT_PROPERTY = "switchboard.log.format";
  /** The system property the configuration file reads the level from. */
  static final String LEVEL_PROPERTY = "switchboard.log.level";
  private static final Set<String> FORMATS = Set.of("text", "json");
  private static final String OWN_LOGGERS = "io.switchboard";

  private Logging() {}

  /**
   * Points Log4j at Switchboard's configuration with the format and level of {@code env}; call
   * before anything logs. Values it cannot use are left for {@link #problem} to report.
   */
  static void configure(Map<String, String> env) {
    // Kafka's jars carry a log4j2 config of their own; use Switchboard's unless the user chose one.
    if (System.getProperty("log4j2.configurationFile") == null
        && System.getProperty("log4j.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "switchboard-log4j2.xml");
    }
    // Components close in their own shutdown hooks and log while doing so; keep logging up until the end.
    System.setProperty("log4j2.shutdownHookEnabled", "false");
    format(env).ifPresent(f -> System.setProperty(FORMAT_PROPERTY, f));
    level(env).ifPresent(l -> System.setProperty(LEVEL_PROPERTY, l.name()));
  }

  /** What is wrong with the logging environment, if anything: a message naming the variable and its value. */
  static Optional<String> problem(Map<String, String> env) {
    String format = env.get(FORMAT_ENV);
    if (format != null && !format.isBlank() && format(env).isEmpty()) {
      return Optional.of(FORMAT_ENV + ": '" + format + "' is not a log format; use text or json");
    }
    String level = env.get(LEVEL_ENV);
    if (level != null && !level.isBlank() && level(env).isEmpty()) {
      return Optional.of(LEVEL_ENV + ": '" + level + "' is not a log level; use trace, debug, info, warn or error");
    }
    return Optional.empty();
  }

  /** Sets the level of Switchboard's own loggers from the command line: {@code --verbose}, {@code --quiet}. */
  static void applyFlags(boolean verbose, boolean quiet) {
    if (verbose) {
      Configurator.setLevel(OWN_LOGGERS, Level.DEBUG);
    } else if (quiet) {
      Configurator.setLevel(OWN_LOGGERS, Level.WARN);
    }
  }

  private static Optional<String> format(Map<String, String> env) {
    String value = env.get(FORMAT_ENV);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String format = value.strip().toLowerCase(Locale.ROOT);
    return FORMATS.contains(format) ? Optional.of(format) : Optional.empty();
  }

  private static Optional<Level> level(Map<String, String> env) {
    String value = env.get(LEVEL_ENV);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    return Optional.ofNullable(Level.getLevel(value.strip().toUpperCase(Locale.ROOT)));
  }
}
