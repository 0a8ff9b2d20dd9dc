package io.switchboard.schemas.json;

/**
 * The innermost cause of a failure, whose message names the actual problem (a field, a token, a
 * value).
 */
public final class Causes {
  private Causes() {}

  /** The last throwable of {@code e}'s cause chain ({@code e} itself when it has no cause). */
  public static Throwable root(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }
}
