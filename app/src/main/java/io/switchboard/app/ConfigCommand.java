package io.switchboard.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import io.switchboard.schemas.WeightedModel;
import io.switchboard.schemas.config.ConfigException;
import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.schemas.config.RouterSettings;
import io.switchboard.schemas.config.SwitchboardConfig;
import io.switchboard.schemas.config.litellm.LiteLlmConfigException;
import io.switchboard.schemas.config.litellm.LiteLlmTranslation;
import io.switchboard.schemas.config.litellm.LiteLlmTranslator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard config}: {@code check} loads a config as router and workers would (native or
 * LiteLLM form) and prints what it resolves to; {@code convert} writes a LiteLLM config in the
 * native form. Both read files only: no cluster is needed. A config that cannot be used ends
 * through the {@link ErrorReporter}: one line, exit 2. {@code apply}, {@code history} and {@code
 * rollback} work on the live configuration ({@link ConfigVersionCommands}).
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    header = "Checks, converts or publishes configs.",
    description =
        "Checks a config file (native or LiteLLM form) or converts a LiteLLM config to the native form, offline;"
            + " applies a config as the next live version, lists the versions, or rolls back to one.",
    subcommands = {
      ConfigCommand.Check.class,
      ConfigCommand.Convert.class,
      ConfigVersionCommands.Apply.class,
      ConfigVersionCommands.History.class,
      ConfigVersionCommands.Rollback.class
    })
final class ConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** {@code switchboard config} alone: the usage, as an error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ErrorReporter.EXIT_USAGE;
  }

  /**
   * Loads a config and prints its deployments, aliases, chains, router settings and every key left
   * out.
   */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      header = "Loads a config offline and prints what it resolves to.",
      description =
          "Loads a config as router and workers would and prints the deployments, aliases, chains and "
              + "every ignored key; exit 0, or 2 with the error.")
  static final class Check implements Callable<Integer> {
    @Option(
        names = {"-c", "--config"},
        required = true,
        paramLabel = "FILE",
        description = "The YAML config file.")
    Path config;

    @Option(
        names = "--profile",
        paramLabel = "NAME",
        description = "Merge the overlay config.NAME.yaml beside the config file (e.g. prod).")
    String profile;

    @Spec CommandSpec spec;

    /**
     * Where {@code ${VAR}} references are read; the process environment unless a test says
     * otherwise.
     */
    Function<String, String> env = System::getenv;

    @Override
    public Integer call() {
      Map<String, LiteLlmTranslation> translations = new LinkedHashMap<>();
      SwitchboardConfig loaded = new ConfigLoader(env, translations::put).load(config, profile);
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          config + ": " + (translations.isEmpty() ? "native form" : "LiteLLM form, translated"));
      printDeployments(out, loaded);
      printAliases(out, loaded);
      printChains(out, loaded);
      RouterSettings r = loaded.routerSettings();
      out.printf(
          "%nRouter settings: allowed_fails %d, cooldown_seconds %d, num_retries %d, timeout_ms %d%n",
          r.allowedFails(), r.cooldownSeconds(), r.numRetries(), r.timeoutMs());
      translations.forEach((source, t) -> printLeftOut(out, source, t));
      out.println();
      out.println(
          "OK: "
              + loaded.modelList().size()
              + " deployment"
              + (loaded.modelList().size() == 1 ? "" : "s"));
      out.flush();
      return 0;
    }
  }

  /** Writes a LiteLLM config in the native form, with what it leaves out as comments at the top. */
  @Command(
      name = "convert",
      mixinStandardHelpOptions = true,
      header = "Writes a LiteLLM config in the native form.",
      description =
          "Writes a LiteLLM config in the native form (keys stay environment references); exit 0, or 2 "
              + "with the error.")
  static final class Convert implements Callable<Integer> {
    @Option(
        names = {"-c", "--config"},
        required = true,
        paramLabel = "FILE",
        description = "The LiteLLM config file.")
    Path config;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Where to write (default: standard output).")
    Path output;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      JsonNode tree;
      try {
        tree = new ObjectMapper(new YAMLFactory()).readTree(config.toFile());
      } catch (IOException e) {
        throw new ConfigException(config + ": cannot read: " + e.getMessage(), e);
      }
      if (!LiteLlmTranslator.isLiteLlm(tree)) {
        throw new ErrorReporter.UserError(
            config
                + ": not a LiteLLM config (no model_list entry has litellm_params); "
                + "a native config needs no conversion");
      }
      String text;
      try {
        text = nativeYaml(config, LiteLlmTranslator.translate(tree));
      } catch (LiteLlmConfigException e) {
        throw new ConfigException(config + ": " + e.getMessage(), e);
      }
      if (output == null) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(text);
        out.flush();
      } else {
        Files.writeString(output, text, StandardCharsets.UTF_8);
        spec.commandLine().getErr().println("Wrote " + output);
      }
      return 0;
    }
  }

  /** The translated tree as YAML, after comment lines naming its source and what it leaves out. */
  static String nativeYaml(Path source, LiteLlmTranslation t) throws IOException {
    StringBuilder head =
        new StringBuilder("# Native form of " + source.getFileName() + " (LiteLLM form).\n");
    t.ignored()
        .forEach(
            (path, why) ->
                head.append("# Ignored: ")
                    .append(path)
                    .append(why.isEmpty() ? "" : " (" + why + ")")
                    .append('\n'));
    t.unsupported().forEach(path -> head.append("# Not yet supported: ").append(path).append('\n'));
    t.notes().forEach(note -> head.append("# Note: ").append(note).append('\n'));
    YAMLFactory yaml =
        YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .stringQuotingChecker(new QuoteDates())
            .build();
    return head + new ObjectMapper(yaml).writeValueAsString(t.tree());
  }

  /**
   * Also quotes strings that YAML 1.1 readers would take for dates, such as an {@code api_version}.
   */
  private static final class QuoteDates extends StringQuotingChecker.Default {
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{1,2}-\\d{1,2}.*");

    @Override
    public boolean needToQuoteValue(String value) {
      return super.needToQuoteValue(value) || DATE.matcher(value).matches();
    }
  }

  private static void printDeployments(PrintWriter out, SwitchboardConfig c) {
    out.printf("%nDeployments (%d):%n", c.modelList().size());
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "deployment",
          "model_name",
          "provider",
          "model",
          "weight",
          "share",
          "rpm",
          "tpm",
          "timeout_ms",
          "max_retries",
          "key",
          "api_base"
        });
    for (DeploymentConfig d : c.modelList()) {
      rows.add(
          new String[] {
            d.deploymentId(),
            d.modelName(),
            d.provider().wire(),
            d.model(),
            number(d.effectiveWeight()),
            percent(d.effectiveWeight(), total(c.deploymentsOf(d.modelName()))),
            orDash(d.rpm()),
            orDash(d.tpm()),
            String.valueOf(d.timeoutMs() != null ? d.timeoutMs() : c.routerSettings().timeoutMs()),
            String.valueOf(
                d.maxRetries() != null ? d.maxRetries() : c.routerSettings().numRetries()),
            d.apiKeyEnv() == null ? "-" : "$" + d.apiKeyEnv(),
            d.apiBase() == null ? "(provider default)" : d.apiBase()
          });
    }
    printTable(out, rows);
  }

  private static void printAliases(PrintWriter out, SwitchboardConfig c) {
    out.printf("%nAliases:%n");
    Map<String, List<DeploymentConfig>> byAlias =
        c.modelList().stream()
            .collect(
                Collectors.groupingBy(
                    DeploymentConfig::modelName, LinkedHashMap::new, Collectors.toList()));
    byAlias.forEach(
        (alias, members) ->
            out.println(
                "  "
                    + alias
                    + " -> "
                    + members.stream()
                        .map(
                            d ->
                                d.deploymentId()
                                    + " "
                                    + percent(d.effectiveWeight(), total(members)))
                        .collect(Collectors.joining(", "))));
    c.modelGroupAlias()
        .forEach(
            (alias, target) ->
                out.println("  " + alias + " -> " + target + " (model_group_alias)"));
    c.loadBalanceGroups()
        .forEach(
            (group, members) ->
                out.println(
                    "  "
                        + group
                        + " (load_balance_group) -> "
                        + members.stream()
                            .map(ConfigCommand::member)
                            .collect(Collectors.joining(", "))));
  }

  private static void printChains(PrintWriter out, SwitchboardConfig c) {
    out.printf("%nChains:%n");
    if (c.fallbacks().isEmpty() && c.contextWindowFallbacks().isEmpty()) {
      out.println("  (none)");
    }
    printChain(out, "fallbacks", c.fallbacks());
    printChain(out, "context_window_fallbacks", c.contextWindowFallbacks());
  }

  private static void printChain(PrintWriter out, String name, Map<String, List<String>> chains) {
    chains.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                out.println(
                    "  " + name + ": " + e.getKey() + " -> " + String.join(", ", e.getValue())));
  }

  private static void printLeftOut(PrintWriter out, String source, LiteLlmTranslation t) {
    out.printf("%nIgnored keys of %s (%d):%n", source, t.ignored().size());
    if (t.ignored().isEmpty()) {
      out.println("  (none)");
    }
    t.ignored()
        .forEach((path, why) -> out.println("  " + path + (why.isEmpty() ? "" : ": " + why)));
    if (!t.unsupported().isEmpty()) {
      out.printf(
          "%nNot yet supported (%d): left out until this version has the native key%n",
          t.unsupported().size());
      t.unsupported().forEach(path -> out.println("  " + path));
    }
    if (!t.notes().isEmpty()) {
      out.printf("%nTranslation notes:%n");
      t.notes().forEach(note -> out.println("  " + note));
    }
  }

  private static void printTable(PrintWriter out, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    rows.forEach(
        r -> {
          for (int i = 0; i < r.length; i++) {
            widths[i] = Math.max(widths[i], r[i].length());
          }
        });
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder(" ");
      for (int i = 0; i < r.length; i++) {
        line.append(' ')
            .append(i == r.length - 1 ? r[i] : String.format("%-" + widths[i] + "s ", r[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  private static double total(List<DeploymentConfig> deployments) {
    return deployments.stream().mapToDouble(DeploymentConfig::effectiveWeight).sum();
  }

  private static String percent(double weight, double total) {
    return total > 0 ? String.format(Locale.ROOT, "%.1f%%", 100 * weight / total) : "-";
  }

  private static String number(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private static String orDash(Integer v) {
    return v == null ? "-" : String.valueOf(v);
  }

  private static String member(WeightedModel m) {
    return m.model() + (m.weight() == null ? "" : " weight " + number(m.weight()));
  }
}
