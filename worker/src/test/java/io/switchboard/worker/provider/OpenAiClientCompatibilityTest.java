package io.switchboard.worker.provider;

import io.switchboard.schemas.config.Provider;
import io.switchboard.testkit.mock.MockProvider;

class OpenAiClientCompatibilityTest extends ProviderClientCompatibilityKit {
  @Override
  Provider provider() {
    return Provider.OPENAI;
  }

  @Override
  String apiBase(MockProvider mock, String deployment) {
    return mock.baseUrl(deployment) + "/v1";
  }
}
