package io.switchboard.schemas.json;

/**
 * One way a document breaks its schema.
 *
 * @param path JSON pointer of the offending value ("" for the document itself), e.g. {@code
 *     /body/messages}
 * @param message what is wrong there
 */
public record Violation(String path, String message) {
  @Override
  public String toString() {
    return (path.isEmpty() ? "(document)" : path) + ": " + message;
  }
}
