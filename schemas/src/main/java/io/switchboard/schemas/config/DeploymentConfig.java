package io.switchboard.schemas.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;

/**
 * One provider deployment of {@code model_list}. Each key is declared once below, with its default,
 * bounds and doc. Keys with a default are never null; those without one ({@code rpm}, {@code
 * weight}, {@code timeout_ms}, ...) are null when unset, and their doc says what unset means.
 *
 * @param modelName {@link #MODEL_NAME}
 * @param deploymentId {@link #DEPLOYMENT_ID}; null only until {@link SwitchboardConfig} assigns it
 * @param provider {@link #PROVIDER}
 * @param model {@link #MODEL}
 * @param apiBase {@link #API_BASE}
 * @param apiKey {@link #API_KEY}
 * @param apiVersion {@link #API_VERSION}
 * @param rpm {@link #RPM}
 * @param tpm {@link #TPM}
 * @param weight {@link #WEIGHT}
 * @param timeoutMs {@link #TIMEOUT_MS}
 * @param maxRetries {@link #MAX_RETRIES}
 * @param backoff {@link #BACKOFF}
 * @param messages {@link #MESSAGES}
 * @param overrideParams {@link #OVERRIDE_PARAMS}
 * @param contextWindow {@link #CONTEXT_WINDOW}
 * @param inputCostPerMillion {@link #INPUT_COST_PER_MILLION}
 * @param outputCostPerMillion {@link #OUTPUT_COST_PER_MILLION}
 * @param lanes {@link #LANES}
 * @param rateWindowSeconds {@link #RATE_WINDOW_SECONDS}
 * @param retryOnStatusCodes {@link #RETRY_ON_STATUS_CODES}, null when unset
 * @param retryPolicy {@link #RETRY_POLICY}, null when unset
 * @param priorityReserve {@link #PRIORITY_RESERVE}, null when unset
 * @param batchApi {@link #BATCH_API}, null when unset
 * @param batchMaxRequests {@link #BATCH_MAX_REQUESTS}, null when unset
 * @param batchMaxWaitSeconds {@link #BATCH_MAX_WAIT_SECONDS}
 * @param batchPollIntervalMs {@link #BATCH_POLL_INTERVAL_MS}
 * @param batchCostFactor {@link #BATCH_COST_FACTOR}
 */
public record DeploymentConfig(
    String modelName,
    String deploymentId,
    Provider provider,
    String model,
    String apiBase,
    String apiKey,
    String apiVersion,
    Integer rpm,
    Integer tpm,
    Double weight,
    Long timeoutMs,
    Integer maxRetries,
    BackoffConfig backoff,
    List<ObjectNode> messages,
    ObjectNode overrideParams,
    Integer contextWindow,
    Double inputCostPerMillion,
    Double outputCostPerMillion,
    Integer lanes,
    Integer rateWindowSeconds,
    List<Integer> retryOnStatusCodes,
    RetryPolicyConfig retryPolicy,
    PriorityReserve priorityReserve,
    BatchApi batchApi,
    Integer batchMaxRequests,
    Integer batchMaxWaitSeconds,
    Integer batchPollIntervalMs,
    Double batchCostFactor) {

  private static final String SECTION = "model_list[]";

  public static final ConfigKey<String> MODEL_NAME =
      ConfigKey.<String>string(
              SECTION,
              "model_name",
              null,
              "The alias requests name; several deployments may share one.")
          .asRequired()
          .atLeast(1);
  public static final ConfigKey<String> DEPLOYMENT_ID =
      ConfigKey.<String>string(
              SECTION,
              "deployment_id",
              null,
              "Unique id used by lanes, metrics and health; unset: model_name when it is the only deployment of that alias, "
                  + "else <model_name>-<n> counting from 1 in file order.")
          .atLeast(1)
          .matching("^[a-zA-Z0-9._:/-]+$");
  public static final ConfigKey<Provider> PROVIDER =
      ConfigKey.string(
              SECTION, "provider", Provider.OPENAI_COMPATIBLE, "The API the deployment speaks.")
          .oneOf(Arrays.stream(Provider.values()).map(Provider::wire).toList());
  public static final ConfigKey<String> MODEL =
      ConfigKey.<String>string(
              SECTION,
              "model",
              null,
              "The provider's model name (for Azure: the deployment name); unset: model_name.")
          .atLeast(1);
  public static final ConfigKey<String> API_BASE =
      ConfigKey.<String>string(
              SECTION,
              "api_base",
              null,
              "Base URL of the API; unset: the provider's public endpoint.")
          .matching("^https?://");
  public static final ConfigKey<String> API_KEY =
      ConfigKey.<String>string(
              SECTION,
              "api_key",
              null,
              "An environment reference like ${OPENAI_API_KEY}, resolved only inside the worker; never a literal key.")
          .matching("^\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}$")
          .asSecret();
  public static final ConfigKey<String> API_VERSION =
      ConfigKey.string(
          SECTION, "api_version", null, "Azure's api-version; unset: the adapter's default.");
  public static final ConfigKey<Integer> RPM =
      ConfigKey.<Integer>integer(
              SECTION, "rpm", null, "Requests per minute allowed; unset: no limit.")
          .atLeast(1);
  public static final ConfigKey<Integer> TPM =
      ConfigKey.<Integer>integer(
              SECTION, "tpm", null, "Tokens per minute allowed; unset: no limit.")
          .atLeast(1);
  public static final ConfigKey<Double> WEIGHT =
      ConfigKey.number(
              SECTION,
              "weight",
              null,
              "Relative routing weight; unset: rpm when set, else 1; 0: no new traffic.")
          .atLeast(0);
  public static final ConfigKey<Long> TIMEOUT_MS =
      ConfigKey.<Long>integer(
              SECTION,
              "timeout_ms",
              null,
              "Per-attempt timeout; unset: router_settings.timeout_ms.")
          .atLeast(1);
  public static final ConfigKey<Integer> MAX_RETRIES =
      ConfigKey.integer(
              SECTION,
              "max_retries",
              2,
              "Retries of a failed call on this deployment before the worker hands the request back to the router "
                  + "(retry_on_status_codes and retry_policy say which failures).")
          .atLeast(0);
  public static final ConfigKey<BackoffConfig> BACKOFF =
      ConfigKey.object(
          SECTION,
          "backoff",
          BackoffConfig.DEFAULT,
          "Exponential backoff with full jitter between retries of this deployment.");
  public static final ConfigKey<List<ObjectNode>> MESSAGES =
      ConfigKey.array(
          SECTION, "messages", List.of(), "Messages appended to every conversation sent here.");
  public static final ConfigKey<ObjectNode> OVERRIDE_PARAMS =
      ConfigKey.object(
          SECTION, "override_params", null, "Fields merged into every body sent here.");
  public static final ConfigKey<Integer> CONTEXT_WINDOW =
      ConfigKey.<Integer>integer(
              SECTION,
              "context_window",
              null,
              "The model's context window in tokens; unset: unknown.")
          .atLeast(1);
  public static final ConfigKey<Double> INPUT_COST_PER_MILLION =
      ConfigKey.number(
              SECTION,
              "input_cost_per_million",
              null,
              "USD per million prompt tokens; unset: 0 (no cost at all when both prices are unset).")
          .atLeast(0);
  public static final ConfigKey<Double> OUTPUT_COST_PER_MILLION =
      ConfigKey.number(
              SECTION,
              "output_cost_per_million",
              null,
              "USD per million completion tokens; unset: 0 (no cost at all when both prices are unset).")
          .atLeast(0);
  public static final ConfigKey<Integer> LANES =
      ConfigKey.integer(
              SECTION, "lanes", 1, "Partitions of the dispatch topic this deployment owns.")
          .between(1, 1024);
  public static final ConfigKey<Integer> RATE_WINDOW_SECONDS =
      ConfigKey.<Integer>integer(
              SECTION,
              "rate_window_seconds",
              null,
              "A shorter window, in seconds, over which the provider also judges the request "
                  + "rate pro rata (Azure OpenAI evaluates over 1 or 10 s): at most rpm * rate_window_seconds / 60 calls in "
                  + "any such window, on top of rpm in any minute; unset: the minute only. Needs rpm.")
          .between(1, 59);
  public static final ConfigKey<List<Integer>> RETRY_ON_STATUS_CODES =
      ConfigKey.array(
          SECTION,
          "retry_on_status_codes",
          null,
          "HTTP statuses after which the worker calls this deployment again; unset: "
              + "router_settings.retry_on_status_codes.");
  public static final ConfigKey<RetryPolicyConfig> RETRY_POLICY =
      ConfigKey.object(
          SECTION,
          "retry_policy",
          null,
          "Retries per error class on this deployment; a class it leaves unset: router_settings.retry_policy.");

  public static final ConfigKey<PriorityReserve> PRIORITY_RESERVE =
      ConfigKey.object(
          SECTION,
          "priority_reserve",
          null,
          "The fraction of this deployment's rpm and tpm held for each class; unset: "
              + "router_settings.priority_reserve.");
  public static final ConfigKey<BatchApi> BATCH_API =
      ConfigKey.<BatchApi>string(
              SECTION,
              "batch_api",
              null,
              "The provider batch API that requests of class batch sent here are grouped into, at the batch "
                  + "price; other classes are called in real time; unset: none.")
          .oneOf(Arrays.stream(BatchApi.values()).map(BatchApi::wire).toList());
  public static final ConfigKey<Integer> BATCH_MAX_REQUESTS =
      ConfigKey.<Integer>integer(
              SECTION,
              "batch_max_requests",
              null,
              "A batch job is submitted once it holds this many requests; unset: the API's limit "
                  + "(openai 50000, anthropic 100000, azure 100000).")
          .atLeast(1);
  public static final ConfigKey<Integer> BATCH_MAX_WAIT_SECONDS =
      ConfigKey.integer(
              SECTION,
              "batch_max_wait_seconds",
              60,
              "A batch job is submitted at the latest this long after its first request arrived.")
          .atLeast(0);
  public static final ConfigKey<Integer> BATCH_POLL_INTERVAL_MS =
      ConfigKey.integer(
              SECTION,
              "batch_poll_interval_ms",
              30_000,
              "How often the worker asks the provider whether a batch job has ended.")
          .atLeast(10);
  public static final ConfigKey<Double> BATCH_COST_FACTOR =
      ConfigKey.number(
              SECTION,
              "batch_cost_factor",
              0.5,
              "The batch price as a share of input_cost_per_million and output_cost_per_million.")
          .between(0, 1);

  public DeploymentConfig {
    modelName = MODEL_NAME.value(modelName);
    String where = "model_list['" + modelName + "']";
    deploymentId = DEPLOYMENT_ID.value(deploymentId, where);
    provider = PROVIDER.value(provider, where);
    model = MODEL.value(model == null ? modelName : model, where);
    apiBase = API_BASE.value(apiBase, where);
    apiKey = API_KEY.value(apiKey, where);
    apiVersion = API_VERSION.value(apiVersion, where);
    rpm = RPM.value(rpm, where);
    tpm = TPM.value(tpm, where);
    weight = WEIGHT.value(weight, where);
    timeoutMs = TIMEOUT_MS.value(timeoutMs, where);
    maxRetries = MAX_RETRIES.value(maxRetries, where);
    backoff = BACKOFF.value(backoff, where);
    messages = List.copyOf(MESSAGES.value(messages, where));
    overrideParams = OVERRIDE_PARAMS.value(overrideParams, where);
    contextWindow = CONTEXT_WINDOW.value(contextWindow, where);
    inputCostPerMillion = INPUT_COST_PER_MILLION.value(inputCostPerMillion, where);
    outputCostPerMillion = OUTPUT_COST_PER_MILLION.value(outputCostPerMillion, where);
    lanes = LANES.value(lanes, where);
    rateWindowSeconds = RATE_WINDOW_SECONDS.value(rateWindowSeconds, where);
    retryOnStatusCodes =
        RouterSettings.statusCodes(
            RETRY_ON_STATUS_CODES.value(retryOnStatusCodes, where),
            where + "." + RETRY_ON_STATUS_CODES.name());
    retryPolicy = RETRY_POLICY.value(retryPolicy, where);
    priorityReserve =
        priorityReserve == null
            ? null
            : PriorityReserve.checked(priorityReserve, where + "." + PRIORITY_RESERVE.name());
    batchApi = BATCH_API.value(batchApi, where);
    batchMaxRequests = BATCH_MAX_REQUESTS.value(batchMaxRequests, where);
    batchMaxWaitSeconds = BATCH_MAX_WAIT_SECONDS.value(batchMaxWaitSeconds, where);
    batchPollIntervalMs = BATCH_POLL_INTERVAL_MS.value(batchPollIntervalMs, where);
    batchCostFactor = BATCH_COST_FACTOR.value(batchCostFactor, where);
    if (batchApi != null && batchMaxRequests != null && batchMaxRequests > batchApi.maxRequests()) {
      throw new ConfigException(
          where
              + ".batch_max_requests: "
              + batchMaxRequests
              + " is above the "
              + batchApi.wire()
              + " batch API's limit of "
              + batchApi.maxRequests()
              + " requests a job");
    }
    if (rateWindowSeconds != null && rpm == null) {
      throw new ConfigException(
          where
              + ".rate_window_seconds: "
              + rateWindowSeconds
              + " needs an rpm: it spreads the rpm over shorter windows");
    }
  }

  /** The environment variable holding the key, or null when the deployment needs none. */
  public String apiKeyEnv() {
    if (apiKey == null) {
      return null;
    }
    Matcher m = API_KEY.pattern().matcher(apiKey);
    return m.matches() ? m.group(1) : null;
  }

  /** The routing weight before normalization: {@code weight}, else rpm, else 1. */
  public double effectiveWeight() {
    if (weight != null) {
      return weight;
    }
    return rpm != null ? rpm : 1.0;
  }

  /** Cost of a call from its token usage, or null when no price is configured. */
  public Double cost(Integer tokensIn, Integer tokensOut) {
    if (inputCostPerMillion == null && outputCostPerMillion == null) {
      return null;
    }
    double in =
        tokensIn == null || inputCostPerMillion == null ? 0 : tokensIn * inputCostPerMillion;
    double out =
        tokensOut == null || outputCostPerMillion == null ? 0 : tokensOut * outputCostPerMillion;
    return (in + out) / 1_000_000.0;
  }

  /** The requests one batch job holds at most: {@code batch_max_requests}, else the API's limit. */
  public int batchJobRequests() {
    if (batchApi == null) {
      return 0;
    }
    return batchMaxRequests != null ? batchMaxRequests : batchApi.maxRequests();
  }

  /** The cost of a request answered by a batch job: {@link #cost} at {@code batch_cost_factor}. */
  public Double batchCost(Integer tokensIn, Integer tokensOut) {
    Double full = cost(tokensIn, tokensOut);
    return full == null ? null : full * batchCostFactor;
  }

  DeploymentConfig withDeploymentId(String id) {
    return new DeploymentConfig(
        modelName,
        id,
        provider,
        model,
        apiBase,
        apiKey,
        apiVersion,
        rpm,
        tpm,
        weight,
        timeoutMs,
        maxRetries,
        backoff,
        messages,
        overrideParams,
        contextWindow,
        inputCostPerMillion,
        outputCostPerMillion,
        lanes,
        rateWindowSeconds,
        retryOnStatusCodes,
        retryPolicy,
        priorityReserve,
        batchApi,
        batchMaxRequests,
        batchMaxWaitSeconds,
        batchPollIntervalMs,
        batchCostFactor);
  }

  @Override
  public String toString() {
    // The key reference is harmless, but keep toString free of anything key-shaped.
    return "DeploymentConfig["
        + deploymentId
        + " "
        + provider.wire()
        + " "
        + model
        + " @ "
        + apiBase
        + "]";
  }
}
