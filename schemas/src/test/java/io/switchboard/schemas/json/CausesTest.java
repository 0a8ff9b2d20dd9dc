package io.switchboard.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CausesTest {
  @Test
  void rootIsTheInnermostCause() {
    IllegalStateException inner = new IllegalStateException("field 'x' is not a number");
    RuntimeException outer =
        new RuntimeException("wrapped", new IllegalArgumentException("mid", inner));
    assertThat(Causes.root(outer)).isSameAs(inner);
  }

  @Test
  void aThrowableWithoutCauseIsItsOwnRoot() {
    RuntimeException e = new RuntimeException("alone");
    assertThat(Causes.root(e)).isSameAs(e);
  }
}
