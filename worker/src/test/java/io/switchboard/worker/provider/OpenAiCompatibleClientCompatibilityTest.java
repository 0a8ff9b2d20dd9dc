package io.switchboard.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.schemas.config.Provider;
import io.switchboard.testkit.mock.MockProvider;
import org.junit.jupiter.api.Test;

class OpenAiCompatibleClientCompatibilityTest extends ProviderClientCompatibilityKit {
  @Override
  Provider provider() {
    return Provider.OPENAI_COMPATIBLE;
  }

  @Override
  String apiBase(MockProvider mock, String deployment) {
    return mock.baseUrl(deployment) + "/v1";
  }

  @Test
  void aDeploymentWithoutAKeyCallsWithoutCredentials() {
    String id = newDeployment();
    ProviderResponse response =
        call(
            Deployments.of(provider(), id, "local", apiBase(mock, id), null),
            Deployments.body("Hi"));
    assertThat(response.isCompletion()).isTrue();
    assertThat(mock.calls(id))
        .singleElement()
        .satisfies(c -> assertThat(c.credentialPresent()).isFalse());
  }
}
