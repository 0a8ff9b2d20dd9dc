package io.switchboard.schemas.config.litellm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a translation leaves out or changes, collected as it goes; only key paths, never values. */
final class Findings {
  /** Ignored LiteLLM key paths, each with why (empty when the key has no bearing on routing). */
  final Map<String, String> ignored = new LinkedHashMap<>();

  /** LiteLLM key paths whose native key this build does not have yet. */
  final List<String> unsupported = new ArrayList<>();

  /** How a value was translated where the translation is not one to one. */
  final List<String> notes = new ArrayList<>();

  void ignore(String path, String why) {
    ignored.put(path, why);
  }

  void ignore(String path) {
    ignored.put(path, "");
  }

  void note(String text) {
    notes.add(text);
  }

  void unsupported(String path) {
    unsupported.add(path);
  }
}
