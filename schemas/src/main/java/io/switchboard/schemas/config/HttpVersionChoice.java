package io.switchboard.schemas.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/**
 * Which HTTP version a worker speaks to providers ({@code worker_settings.http_version}). HTTP/2
 * carries many calls as streams of one connection, where HTTP/1.1 needs a connection per call in
 * flight.
 */
public enum HttpVersionChoice {
  /**
   * {@code https} providers: HTTP/2 when the server offers it in the TLS handshake (ALPN), else
   * HTTP/1.1; plain {@code http}: HTTP/1.1, which every OpenAI-compatible local server speaks.
   */
  AUTO("auto"),
  /** HTTP/1.1 everywhere. */
  HTTP1("http1"),
  /**
   * HTTP/2 everywhere: required in the TLS handshake of {@code https} providers, and spoken from
   * the first byte ("prior knowledge", h2c) to plain {@code http} ones.
   */
  HTTP2("http2");

  private final String wire;

  HttpVersionChoice(String wire) {
    this.wire = wire;
  }

  /** The name the config writes. */
  @JsonValue
  public String wire() {
    return wire;
  }

  /** Every name accepted in config. */
  public static List<String> names() {
    return Arrays.stream(values()).map(HttpVersionChoice::wire).toList();
  }

  /**
   * The choice a config name stands for.
   *
   * @throws ConfigException naming the value and the accepted names when it is none of them
   */
  @JsonCreator
  public static HttpVersionChoice fromName(String name) {
    for (HttpVersionChoice v : values()) {
      if (v.wire.equals(name)) {
        return v;
      }
    }
    throw new ConfigException(
        "worker_settings.http_version: '" + name + "' is not one of " + names());
  }
}
