package io.switchboard.client;

import io.switchboard.schemas.Priority;
import io.switchboard.schemas.RouteReply;
import io.switchboard.schemas.RouteRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a {@link SwitchboardClient} behaves. Immutable; build with {@link #builder()}.
 *
 * @param clientId names the client's reply topic {@code <replies>.<clientId>}; default: the host
 *     name, so that runs on one host reuse one topic (clients sharing a reply topic each read all
 *     of it and ignore replies that are not theirs)
 * @param replyTopic the reply topic; default {@code <replies>.<clientId>}
 * @param requestTimeout how long {@code submit} waits for a reply (default 2 minutes)
 * @param maxInFlight the most requests awaiting a reply at once (default 1000); {@code submit}
 *     blocks when it is reached
 * @param replyFrom where the reply reader starts: {@link ReplyStart#END} (default) for a client,
 *     {@link ReplyStart#BEGINNING} to also receive replies published before the client started
 * @param replyPartitions partitions of the reply topic when the client creates it (default 1)
 * @param replyRetention retention of the reply topic when the client creates it (default 7 days)
 * @param unmatchedReplies receives replies that match no pending call (late replies, replies read
 *     while catching up from the beginning, replies of other clients sharing the topic); null to
 *     drop them
 * @param submitAllPriority the class {@code submitAll} sends a request of class default as (default
 *     {@link Priority#BATCH}: bulk work yields to interactive traffic); a request with another
 *     class keeps it
 */
public record ClientOptions(
    String clientId,
    String replyTopic,
    Duration requestTimeout,
    int maxInFlight,
    ReplyStart replyFrom,
    int replyPartitions,
    Duration replyRetention,
    Consumer<RouteReply> unmatchedReplies,
    Priority submitAllPriority) {

  /** Where the reply reader starts reading the reply topic. */
  public enum ReplyStart {
    /** From the first reply still on the topic: see {@link SwitchboardClient#awaitCaughtUp}. */
    BEGINNING,
    /** From the end of the topic as the client starts. */
    END
  }

  public ClientOptions {
    if (clientId == null || clientId.isBlank()) {
      throw new InvalidOptionException("clientId", "clientId must be a non-empty string");
    }
    if (!clientId.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidOptionException(
          "clientId",
          "clientId '"
              + clientId
              + "' may only hold letters, digits, '.', '_' and '-'"
              + " (it becomes part of a topic name)");
    }
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new InvalidOptionException(
          "requestTimeout", "requestTimeout must be positive, was " + requestTimeout);
    }
    if (maxInFlight < 1) {
      throw new InvalidOptionException(
          "maxInFlight", "maxInFlight must be at least 1, was " + maxInFlight);
    }
    Objects.requireNonNull(replyFrom, "replyFrom");
    if (replyPartitions < 1) {
      throw new InvalidOptionException(
          "replyPartitions", "replyPartitions must be at least 1, was " + replyPartitions);
    }
    Objects.requireNonNull(replyRetention, "replyRetention");
    Objects.requireNonNull(submitAllPriority, "submitAllPriority");
  }

  /**
   * {@code request} as {@code submitAll} sends it: of class default, it takes {@link
   * #submitAllPriority}.
   */
  public RouteRequest forSubmitAll(RouteRequest request) {
    return request.priority() == Priority.DEFAULT
        ? request.withPriority(submitAllPriority)
        : request;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults. */
  public static ClientOptions defaults() {
    return builder().build();
  }

  /**
   * The reply topic of a client on this replies topic: {@code replyTopic}, or {@code
   * <replies>.<clientId>}.
   */
  public String replyTopicFor(String replies) {
    return replyTopic != null ? replyTopic : replies + "." + clientId;
  }

  /** This host's name made fit for a topic name, or {@code client} when it cannot be read. */
  public static String defaultClientId() {
    try {
      String host =
          InetAddress.getLocalHost()
              .getHostName()
              .toLowerCase(Locale.ROOT)
              .replaceAll("[^a-z0-9._-]", "-");
      return host.isBlank() ? "client" : host;
    } catch (UnknownHostException e) {
      return "client";
    }
  }

  /** Builds {@link ClientOptions}. */
  public static final class Builder {
    private String clientId = defaultClientId();
    private String replyTopic;
    private Duration requestTimeout = Duration.ofMinutes(2);
    private int maxInFlight = 1000;
    private ReplyStart replyFrom = ReplyStart.END;
    private int replyPartitions = 1;
    private Duration replyRetention = Duration.ofDays(7);
    private Consumer<RouteReply> unmatchedReplies;
    private Priority submitAllPriority = Priority.BATCH;

    private Builder() {}

    public Builder clientId(String id) {
      this.clientId = id;
      return this;
    }

    public Builder replyTopic(String topic) {
      this.replyTopic = topic;
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    public Builder maxInFlight(int n) {
      this.maxInFlight = n;
      return this;
    }

    public Builder replyFrom(ReplyStart start) {
      this.replyFrom = start;
      return this;
    }

    public Builder replyPartitions(int n) {
      this.replyPartitions = n;
      return this;
    }

    public Builder replyRetention(Duration retention) {
      this.replyRetention = retention;
      return this;
    }

    public Builder unmatchedReplies(Consumer<RouteReply> sink) {
      this.unmatchedReplies = sink;
      return this;
    }

    public Builder submitAllPriority(Priority priority) {
      this.submitAllPriority = priority;
      return this;
    }

    public ClientOptions build() {
      return new ClientOptions(
          clientId,
          replyTopic,
          requestTimeout,
          maxInFlight,
          replyFrom,
          replyPartitions,
          replyRetention,
          unmatchedReplies,
          submitAllPriority);
    }
  }
}
