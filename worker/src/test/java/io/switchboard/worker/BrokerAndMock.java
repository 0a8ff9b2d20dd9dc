package io.switchboard.worker;

import io.switchboard.testkit.kafka.KafkaBroker;
import io.switchboard.testkit.kafka.KafkaBrokers;
import io.switchboard.testkit.mock.MockProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A broker and a mock provider for the whole of a test class (test classes run one at a time). */
abstract class BrokerAndMock {
  static KafkaBroker broker;
  static MockProvider mock;

  @BeforeAll
  static void startBrokerAndMock() {
    broker = KafkaBrokers.start();
    mock = MockProvider.start();
  }

  @AfterAll
  static void stopBrokerAndMock() {
    if (mock != null) {
      mock.close();
      mock = null;
    }
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }
}
