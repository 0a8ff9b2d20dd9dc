package io.switchboard.app;

import java.time.Duration;

/**
 * The Kafka cluster a command names did not answer within the connect timeout: a wrong address, a
 * cluster that is down, or a network between that drops the connection. The command did nothing.
 */
final class ClusterUnreachableException extends RuntimeException {
  ClusterUnreachableException(String servers, Duration waited, Throwable cause) {
    super(
        "cannot reach the Kafka cluster at "
            + servers
            + " within "
            + waited.toSeconds()
            + " s (is "
            + "bootstrap.servers right, and the cluster up? --connect-timeout waits longer)",
        cause,
        false,
        false);
  }
}
