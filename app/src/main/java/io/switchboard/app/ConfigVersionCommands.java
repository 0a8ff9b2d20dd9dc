package io.switchboard.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.client.ConnectionSettings;
import io.switchboard.schemas.ConfigVersion;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.TopicsConfig;
import io.switchboard.schemas.config.live.ConfigPublishException;
import io.switchboard.schemas.config.live.ConfigVersions;
import io.switchboard.schemas.config.live.LiveSections;
import io.switchboard.schemas.topics.LanePlan;
import io.switchboard.schemas.topics.Topics;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard config apply | history | rollback}: the live configuration on the config
 * topic. {@code apply} checks a file as start-up does and publishes its live sections ({@link
 * LiveSections}) as the next version; {@code rollback} publishes an older version's body as the
 * next version; {@code history} lists the versions. Routers and workers put a new version in force
 * within seconds. A version is refused (exit 2) when it is invalid, or when its lanes need dispatch
 * partitions the topic does not have: {@code switchboard topics} adds them first.
 */
final class ConfigVersionCommands {
  private ConfigVersionCommands() {}

  /** How long reading or publishing on the config topic may take. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Publishes a config file's live sections as the next version. */
  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      header = "Publishes a config file as the next live version.",
      description =
          "Checks a config file as start-up does and publishes its routing sections (deployments, weights, limits,"
              + " chains, strategies, router_settings) as the next version on the config topic; routers and workers"
              + " put it in force within 10 s. Exit 0, or 2 with the reason it was refused.")
  static final class Apply implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Option(
        names = "--description",
        paramLabel = "TEXT",
        description = "What the version is, for the history (default: the file's name).")
    String description;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      SwitchboardConfig config = options.load();
      options.awaitCluster(config.kafka());
      checkTopics(
          config.kafka(),
          config.topics(),
          LanePlan.of(config).partitions(),
          options.config.toString());
      ConfigVersion published =
          publish(
              config.kafka(),
              config.topics(),
              description != null ? description : options.config.getFileName().toString(),
              LiveSections.of(config));
      report(spec, published);
      return 0;
    }
  }

  /** Lists the versions on the config topic. */
  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      header = "Lists the live config versions.",
      description =
          "Lists every version on the config topic, oldest first: number, when it was published, what it is, and"
              + " its deployments. The newest is the one routers and workers have in force (unless they refused it:"
              + " see their logs and the config.rejected meters).")
  static final class History implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ConnectionSettings connection = options.connection();
      options.awaitCluster(connection.kafka());
      List<ConfigVersion> versions = read(connection.kafka(), connection.topics());
      PrintWriter out = spec.commandLine().getOut();
      if (versions.isEmpty()) {
        out.println(
            "No versions on "
                + connection.topics().config()
                + ": routers and workers run on their config files.");
      }
      for (ConfigVersion v : versions) {
        out.printf(
            "%6d  %s  %s%n        %s%n",
            v.version(),
            v.appliedAt(),
            v.description() == null ? "" : v.description(),
            deployments(v.config()));
      }
      out.flush();
      return 0;
    }
  }

  /** Publishes an older version's body as the next version. */
  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      header = "Publishes an older live config version again.",
      description =
          "Publishes the body of VERSION as the next version (the history stays in order), after the checks of"
              + " apply. Exit 0, or 2 with the reason it was refused.")
  static final class Rollback implements Callable<Integer> {
    @Mixin ConfigOptions options;

    @Parameters(index = "0", paramLabel = "VERSION", description = "The version to go back to.")
    long version;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      ConnectionSettings connection = options.connection();
      options.awaitCluster(connection.kafka());
      List<ConfigVersion> versions = read(connection.kafka(), connection.topics());
      ConfigVersion target =
          versions.stream()
              .filter(v -> v.version() == version)
              .findFirst()
              .orElseThrow(
                  () ->
                      new ErrorReporter.UserError(
                          "no version "
                              + version
                              + " on "
                              + connection.topics().config()
                              + (versions.isEmpty()
                                  ? " (it holds none)"
                                  : " (it holds 1 to "
                                      + versions.get(versions.size() - 1).version()
                                      + ")")));
      String source = "config version " + version;
      SwitchboardConfig config = ConfigLoader.fromNativeJson(target.config(), source);
      checkTopics(
          connection.kafka(), connection.topics(), LanePlan.of(config).partitions(), source);
      ConfigVersion published =
          publish(
              connection.kafka(),
              connection.topics(),
              "rollback to version " + version,
              target.config());
      report(spec, published);
      return 0;
    }
  }

  /**
   * Refuses a version whose lanes the dispatch topic cannot hold, or when the topics are not there:
   * a worker paces and a router routes by partitions that must exist.
   */
  static void checkTopics(Map<String, String> kafka, TopicsConfig t, int lanes, String source)
      throws InterruptedException, ExecutionException {
    try (Admin admin = Admin.create(new HashMap<String, Object>(kafka))) {
      Set<String> existing = admin.listTopics().names().get();
      for (String needed : List.of(t.config(), t.dispatch())) {
        if (!existing.contains(needed)) {
          throw new ErrorReporter.UserError(
              source
                  + ": topic '"
                  + needed
                  + "' does not exist; run `switchboard topics --config FILE` first");
        }
      }
      Map<String, TopicDescription> described =
          admin.describeTopics(List.of(t.dispatch())).allTopicNames().get();
      int have = described.get(t.dispatch()).partitions().size();
      if (have < lanes) {
        throw new ErrorReporter.UserError(
            source
                + ": refused: its lanes need "
                + lanes
                + " partitions of '"
                + t.dispatch()
                + "', which has "
                + have
                + "; run `switchboard topics --config FILE` with this config first, then apply again");
      }
    }
  }

  private static List<ConfigVersion> read(Map<String, String> kafka, TopicsConfig topics) {
    return ConfigVersions.read(kafka, new Topics(topics).configVersions(), TIMEOUT);
  }

  private static ConfigVersion publish(
      Map<String, String> kafka, TopicsConfig topics, String description, ObjectNode body) {
    try {
      return ConfigVersions.publish(
          kafka,
          new Topics(topics).configVersions(),
          description,
          body,
          Clock.systemUTC(),
          TIMEOUT);
    } catch (ConfigPublishException e) {
      throw new ErrorReporter.UserError(e.getMessage());
    }
  }

  private static void report(CommandSpec spec, ConfigVersion published) {
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "Published config version "
            + published.version()
            + " ("
            + published.description()
            + "): "
            + deployments(published.config()));
    out.println("Routers and workers put it in force within 10 s.");
    out.flush();
  }

  /**
   * The deployments of a version's body, with their weights: {@code a (weight 3), b (weight 1)}.
   */
  static String deployments(ObjectNode body) {
    StringBuilder s = new StringBuilder();
    body.path("model_list")
        .forEach(
            d -> {
              if (!s.isEmpty()) {
                s.append(", ");
              }
              s.append(d.path("deployment_id").asText(d.path("model_name").asText("?")));
              if (d.has("weight")) {
                s.append(" (weight ").append(d.get("weight").asText()).append(')');
              }
            });
    return s.isEmpty() ? "no deployments" : s.toString();
  }
}
