package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.config.ConfigLoader;
import io.switchboard.schemas.config.SwitchboardConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code switchboard config check} and {@code config convert}, offline, on the LiteLLM corpus. */
class ConfigCommandTest {
  /** Every non-key variable the corpus refers to. */
  static final Map<String, String> ENV =
      Map.ofEntries(
          Map.entry("AZURE_API_BASE", "https://azure.example"),
              Map.entry("AZURE_EU_BASE", "https://eu.example"),
          Map.entry("AZURE_US_BASE", "https://us.example"),
              Map.entry("AZURE_CA_BASE", "https://ca.example"),
          Map.entry("BIG_BASE", "http://big.example/v1"),
              Map.entry("SMALL_BASE", "http://small.example/v1"),
          Map.entry("SPARE_BASE", "http://spare.example/v1"),
              Map.entry("PRIMARY_BASE", "http://primary.example/v1"),
          Map.entry("BACKUP_BASE", "http://backup.example/v1"),
              Map.entry("LONG_BASE", "http://long.example/v1"),
          Map.entry("OLLAMA_BASE", "http://ollama.example/v1"),
              Map.entry("CHAT_BASE", "http://chat.example/v1"));

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = Main.commandLine();
    ConfigCommand.Check check =
        cli.getSubcommands().get("config").getSubcommands().get("check").getCommand();
    check.env = ENV::get;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** The LiteLLM corpus kept with the schemas' tests. */
  static Path corpus(String name) {
    Path dir = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(dir.resolve("schemas/src/test/resources/litellm"))) {
      dir = dir.getParent();
      assertThat(dir).as("the LiteLLM corpus above the working directory").isNotNull();
    }
    return dir.resolve("schemas/src/test/resources/litellm").resolve(name);
  }

  @Test
  void checkPrintsDeploymentsAliasesChainsAndSettings() {
    Run r = run("config", "check", "--config", corpus("04-fallbacks.yaml").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains("04-fallbacks.yaml: LiteLLM form, translated")
        .containsPattern(
            "primary +primary +openai_compatible +gpt-4o +1 +100.0% +- +- +2500 +0 +- +http://primary")
        .contains("primary -> primary 100.0%")
        .contains("fallbacks: primary -> backup")
        .contains("context_window_fallbacks: backup -> long-context")
        .contains(
            "Router settings: allowed_fails 2, cooldown_seconds 3, num_retries 1, timeout_ms 30000")
        .contains("Ignored keys of " + corpus("04-fallbacks.yaml") + " (0):")
        .contains("router_settings.allowed_fails: LiteLLM cools a deployment down")
        .endsWith("OK: 3 deployments" + System.lineSeparator());
  }

  @Test
  void checkListsEveryIgnoredKeyButNoValue() {
    Run r = run("config", "check", "-c", corpus("01-proxy-quickstart.yaml").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains(
            "  general_settings.master_key", "  general_settings.database_url", "$OPENAI_API_KEY")
        .doesNotContain("sk-proxy-master", "postgresql");
    Run weights = run("config", "check", "-c", corpus("02-weighted-azure.yaml").toString());
    assertThat(weights.out()).contains("chat -> chat-1 75.0%, chat-2 25.0%, chat-3 0.0%");
    Run aliases = run("config", "check", "-c", corpus("09-model-group-alias.yaml").toString());
    assertThat(aliases.out())
        .contains("gpt-4 -> gpt-4o (model_group_alias)", "fallbacks: gpt-4 -> gpt-4o-mini");
  }

  @Test
  void checkOfAConfigThatCannotRunPrintsTheErrorAndExitsTwo() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        """
        model_list:
          - model_name: legacy
            litellm_params: {model: text-completion-openai/gpt-3.5-turbo-instruct, api_key: sk-literal-123}
        general_settings: {master_key: sk-master-456}
        """);
    Run r = run("config", "check", "--config", file.toString());
    assertThat(r.code()).isEqualTo(ErrorReporter.EXIT_USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith("switchboard config check: " + file + ": model_list[0].litellm_params.model:")
        .doesNotContain("sk-literal-123", "sk-master-456");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void convertedConfigsLoadAsNativeConfigsAndResolveToTheSameDeployments() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(corpus("01-proxy-quickstart.yaml").getParent())) {
      files = list.sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(10);
    for (Path file : files) {
      Run r = run("config", "convert", "--config", file.toString());
      assertThat(r.code()).as(file + ": " + r.err()).isZero();
      List<String> translated = new ArrayList<>();
      ConfigLoader loader = new ConfigLoader(ENV::get, (source, t) -> translated.add(source));
      SwitchboardConfig fromLiteLlm = loader.load(file, null);
      SwitchboardConfig fromNative = loader.parse(r.out(), "converted " + file.getFileName());
      assertThat(translated)
          .as("only the LiteLLM file is translated")
          .containsExactly(file.toString());
      assertThat(fromNative.modelList()).as(file.toString()).isEqualTo(fromLiteLlm.modelList());
      assertThat(fromNative.fallbacks()).isEqualTo(fromLiteLlm.fallbacks());
      assertThat(fromNative.contextWindowFallbacks())
          .isEqualTo(fromLiteLlm.contextWindowFallbacks());
      assertThat(fromNative.modelGroupAlias()).isEqualTo(fromLiteLlm.modelGroupAlias());
      assertThat(fromNative.routerSettings()).isEqualTo(fromLiteLlm.routerSettings());
      assertThat(r.out())
          .startsWith("# Native form of " + file.getFileName() + " (LiteLLM form).")
          .doesNotContain("os.environ/", "sk-proxy-master", "sk-not-shown", "postgresql");
    }
  }

  @Test
  void convertWritesTheOutputFileAndKeepsKeysAsReferences() throws IOException {
    Path out = dir.resolve("native.yaml");
    Run r =
        run(
            "config",
            "convert",
            "-c",
            corpus("07-model-info.yaml").toString(),
            "--output",
            out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(Files.readString(out))
        .contains(
            "api_key: \"${AZURE_EU_KEY}\"",
            "deployment_id: gpt-4o-eu",
            "deployment_id: \"7\"",
            "input_cost_per_million: 2.5",
            "api_version: \"2024-10-21\"",
            "# Ignored: model_list[0].model_info.mode");
  }

  @Test
  void convertRefusesANativeConfigAndAnUntranslatableOne() throws IOException {
    Path nativeFile = dir.resolve("native.yaml");
    Files.writeString(
        nativeFile, "model_list:\n  - {model_name: chat, api_base: 'https://x.example/v1'}\n");
    Run r = run("config", "convert", "-c", nativeFile.toString());
    assertThat(r.code()).isEqualTo(ErrorReporter.EXIT_USAGE);
    assertThat(r.err()).contains("not a LiteLLM config");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad, "model_list:\n  - model_name: x\n    litellm_params: {model: gpt-4o, rpm: lots}\n");
    Run b = run("config", "convert", "-c", bad.toString());
    assertThat(b.code()).isEqualTo(ErrorReporter.EXIT_USAGE);
    assertThat(b.err())
        .isEqualTo(
            "switchboard config convert: "
                + bad
                + ": model_list[0].litellm_params.rpm: expected a whole number, got 'lots'"
                + System.lineSeparator());
  }
}
