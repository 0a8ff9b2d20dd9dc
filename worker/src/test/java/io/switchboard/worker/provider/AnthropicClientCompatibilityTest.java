package io.switchboard.worker.provider;

import io.switchboard.schemas.config.Provider;
import io.switchboard.testkit.mock.MockProvider;

class AnthropicClientCompatibilityTest extends ProviderClientCompatibilityKit {
  @Override
  Provider provider() {
    return Provider.ANTHROPIC;
  }

  @Override
  String apiBase(MockProvider mock, String deployment) {
    return mock.baseUrl(deployment) + "/v1";
  }
}
