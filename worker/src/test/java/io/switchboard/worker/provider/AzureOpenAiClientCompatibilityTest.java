package io.switchboard.worker.provider;

import io.switchboard.schemas.config.Provider;
import io.switchboard.testkit.mock.MockProvider;

class AzureOpenAiClientCompatibilityTest extends ProviderClientCompatibilityKit {
  @Override
  Provider provider() {
    return Provider.AZURE;
  }

  @Override
  String apiBase(MockProvider mock, String deployment) {
    return mock.baseUrl(deployment);
  }
}
