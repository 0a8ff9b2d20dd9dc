package io.switchboard.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {
  @Test
  void removesTheKeyAndKeyShapedTokens() {
    assertThat(Redactor.redact("bad key abc123XYZ and sk-proj-12345678_-x here", "abc123XYZ"))
        .isEqualTo("bad key [redacted] and [redacted] here");
    assertThat(Redactor.redact("sk-short", null)).isEqualTo("sk-short");
    assertThat(Redactor.redact(null, "k")).isNull();
  }

  @Test
  void completionsKeepKeyShapedTextButNotTheKey() {
    assertThat(Redactor.redactKeyOnly("use sk-example-00000000 and mykey", "mykey"))
        .isEqualTo("use sk-example-00000000 and [redacted]");
  }
}
