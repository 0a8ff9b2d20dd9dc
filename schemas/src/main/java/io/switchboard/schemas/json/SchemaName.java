package io.switchboard.schemas.json;

/** The JSON Schemas shipped in {@code schemas/} on the class path. */
public enum SchemaName {
  ROUTE_REQUEST("route-request"),
  ROUTE_REPLY("route-reply"),
  DISPATCH("dispatch"),
  ATTEMPT_EVENT("attempt-event"),
  DEPLOYMENT_HEALTH("deployment-health"),
  DEAD_LETTER("dead-letter"),
  METRICS_SUMMARY("metrics-summary"),
  OFFLOAD_JOB("offload-job"),
  CONFIG_VERSION("config-version"),
  CONFIG("config");

  private final String file;

  SchemaName(String file) {
    this.file = file;
  }

  /**
   * The base name, e.g. {@code route-request}: the schema is {@code schemas/<file>.schema.json}.
   */
  public String file() {
    return file;
  }

  public String resource() {
    return "/schemas/" + file + ".schema.json";
  }
}
