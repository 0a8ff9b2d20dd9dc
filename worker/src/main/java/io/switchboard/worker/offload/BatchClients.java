package io.switchboard.worker.offload;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.schemas.config.BatchApi;
import io.switchboard.schemas.config.DeploymentConfig;
import io.switchboard.worker.provider.AnthropicClient;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every provider's batch API behind one {@link BatchClient}: each call goes to the API of the
 * deployment's {@code batch_api}.
 */
public final class BatchClients implements BatchClient {
  private final BatchClient openAi;
  private final BatchClient azure;
  private final BatchClient anthropic;

  /**
   * @param env looks up environment variables: the deployments' API keys, read on every call
   */
  public BatchClients(Function<String, String> env, Clock clock) {
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    this.openAi =
        new OpenAiBatchClient(
            new BatchHttp(
                http, env, (request, key) -> request.header("Authorization", "Bearer " + key)),
            false);
    this.azure =
        new OpenAiBatchClient(
            new BatchHttp(http, env, (request, key) -> request.header("api-key", key)), true);
    this.anthropic =
        new AnthropicBatchClient(
            new BatchHttp(
                http,
                env,
                (request, key) ->
                    request
                        .header("x-api-key", key)
                        .header("anthropic-version", AnthropicClient.ANTHROPIC_VERSION)),
            Objects.requireNonNull(clock, "clock"));
  }

  private BatchClient of(DeploymentConfig deployment) {
    BatchApi api = deployment.batchApi();
    if (api == null) {
      throw new IllegalArgumentException(
          "deployment '" + deployment.deploymentId() + "' has no batch_api");
    }
    return switch (api) {
      case OPENAI -> openAi;
      case AZURE -> azure;
      case ANTHROPIC -> anthropic;
    };
  }

  @Override
  public ObjectNode inputLine(DeploymentConfig deployment, String customId, ObjectNode shapedBody) {
    return of(deployment).inputLine(deployment, customId, shapedBody);
  }

  @Override
  public String submit(DeploymentConfig deployment, String jobId, Path input)
      throws BatchApiException {
    return of(deployment).submit(deployment, jobId, input);
  }

  @Override
  public Optional<String> find(DeploymentConfig deployment, String jobId) throws BatchApiException {
    return of(deployment).find(deployment, jobId);
  }

  @Override
  public BatchStatus status(DeploymentConfig deployment, String batchId) throws BatchApiException {
    return of(deployment).status(deployment, batchId);
  }

  @Override
  public void results(DeploymentConfig deployment, BatchStatus status, Path out)
      throws BatchApiException {
    of(deployment).results(deployment, status, out);
  }
}
