/**
 * Body fields by which an OpenAI-compatible relay lets a request choose another model, another
 * provider of the model, or another upstream, than the one its deployment names. An OpenAI-format
 * deployment gets the client's body as sent (unknown fields included, for the server's own sampling
 * options), and its baseUrl may be such a relay:
 * - OpenRouter: `models` (fallback models, "priced using the model that was ultimately used"), `route`
 *   ("fallback": a model OpenRouter picks), `preset` (a stored configuration that may set models,
 *   providers and tools, its paid web search among them), and `provider` (provider preferences:
 *   `order`, `only`, `ignore`, `sort`, `quantizations`, `data_collection`, `zdr`, `max_price`, ...
 *   each orders or filters the providers serving the model, each at its own price, where OpenRouter's
 *   default balances by price). `provider` is refused whole rather than member by member: every member
 *   moves the choice of provider, and OpenRouter keeps adding members. So a client cannot ask for a
 *   data policy (`data_collection`, `zdr`) per request; the account the deployment's credential
 *   belongs to can set it
 *   (https://openrouter.ai/docs/guides/routing/model-fallbacks, .../features/presets,
 *   .../features/provider-routing);
 * - LiteLLM's proxy: `fallbacks`, `context_window_fallbacks` and `content_policy_fallbacks` (client-side
 *   fallbacks to other model groups, its Router reads all three), the `mock_testing_*` flags that fail
 *   the asked group on purpose so its fallbacks answer (LiteLLM proxies before v1.85.0: from it the
 *   proxy strips them from a request, its reliability docs say; the Router reads `mock_testing_fallbacks`,
 *   `mock_testing_context_fallbacks` and `mock_testing_content_policy_fallbacks`; its docs name the
 *   context one `mock_testing_context_window_fallbacks`), `user_config` (a whole router config: a model
 *   list with api_base and api_key; LiteLLM's proxy now strips it silently, PR #27084, rather than
 *   refusing it, and it stays refused here for the proxies before that and so that a client is told
 *   it is not honoured), the endpoint and credential fields its proxy bans from a body unless its
 *   admin allows them (_BANNED_REQUEST_BODY_PARAMS: `api_base`, `base_url` and the rest, less its
 *   observability fields, which name where logs go, not where the call goes), and the fields its proxy
 *   does not ban but its Router spreads last over the deployment's litellm_params, so that they replace
 *   the deployment's own: its credential (`api_key`, `azure_ad_token`, `aws_access_key_id`,
 *   `aws_secret_access_key`, `aws_session_token`, `aws_profile_name`, `vertex_ai_credentials`, an alias
 *   of the banned `vertex_credentials`, and `litellm_credential_name`, another of its stored
 *   credentials), the account, project or region it bills and runs in (`organization`, the OpenAI
 *   organization the key bills, which OpenAI takes as a header and never as a body field;
 *   `vertex_project`, `vertex_ai_project`; `aws_region_name`, `vertex_location`, `vertex_ai_location`,
 *   which could also move the call out of the deployment's region), its provider (`custom_llm_provider`,
 *   and `deployment_id`, which makes the call Azure's), `model_list` (deployments of the request's own,
 *   each with its api_base and api_key, that completion() calls at once), and Azure's sign-in fields
 *   (`tenant_id`, `client_id`, `client_secret`, `azure_username`, `azure_password`, `azure_scope`:
 *   together they sign the relay in to another Entra tenant, each alone replaces part of the
 *   deployment's sign-in, so all six are refused; the cost is that a self-hosted server taking an option
 *   of its own by such a generic name, `client_id` or `tenant_id` above all, cannot be sent it);
 *   and `extra_headers` and `headers`, which its completion() merges into the headers
 *   of the call it makes (an `Authorization` there replaces the deployment's key) while its proxy bans
 *   neither; `extra_body`, which it merges into the body it sends on, so that through LiteLLM to
 *   OpenRouter it would carry `models`, `provider` or `plugins` past their refusal here. No OpenAI SDK
 *   sends any of the three as a body field (the Python SDK's extra_headers and extra_body are call
 *   options it applies itself) (https://docs.litellm.ai/docs/proxy/client_side_fallbacks,
 *   .../proxy/clientside_auth, .../proxy/reliability; litellm/main.py completion(),
 *   litellm/router.py _completion(), litellm/proxy/auth/auth_utils.py).
 * A field name means one thing here whatever the server: text-generation-webui's OpenAI API takes
 * `preset` as the name of one of its sampling presets, which is refused too. Refusing OpenRouter's
 * preset costs a self-hosted server that option; passing it would let a request choose models, and
 * paid tools, on OpenRouter.
 * The gateway prices the answer at its deployment's model and checks the key's aliases against it, and
 * nothing in a request may choose where a call goes: each is a 400 naming it, before any call (OpenAI
 * and Azure refuse them anyway as unknown). `null` asks for nothing and is left out of the body sent:
 * LiteLLM's proxy refuses a banned field present in the body at all (`param in body`), null included;
 * so is `provider: {}`, preferences with none set.
 *
 * @example withoutRelayRouting({ models: ["openai/o1-pro"] }) // throws UnsupportedParameterError("models", ...)
 * @example withoutRelayRouting({ model: "m", api_base: null }) // { model: "m" }
 */
import { refuseFields, refusedFields } from "./refuse-fields.ts";

const MODEL_CHOICE = "The gateway chooses the model from the alias's deployments; a request cannot name other models for the provider to use.";
const FORCED_FALLBACK = "It makes the relay fail the model on purpose so its fallback models answer; the gateway chooses the model from the alias's deployments.";
const PROVIDER_CHOICE = "Provider preferences choose which provider serves the model, each at its own price, which the gateway's price for the deployment does not follow; a request cannot set them.";
const ENDPOINT_CHOICE = "The gateway calls only its deployments' own endpoints with their own credentials; a request cannot name another endpoint or credential.";
const ACCOUNT_CHOICE = "The gateway calls each deployment in its own account, project and region, which its price and data residency follow; a request cannot choose others.";
const NESTED_BODY = "A relay merges it into the body it sends on, where it would carry the fields the gateway refuses at the top level (other models, provider preferences, plugins); send an option at the top level instead.";

const REFUSED = refusedFields([
  ["models", MODEL_CHOICE],
  ["route", MODEL_CHOICE],
  ["preset", MODEL_CHOICE],
  ["provider", PROVIDER_CHOICE],
  ["fallbacks", MODEL_CHOICE],
  ["context_window_fallbacks", MODEL_CHOICE],
  ["content_policy_fallbacks", MODEL_CHOICE],
  ["mock_testing_fallbacks", FORCED_FALLBACK],
  ["mock_testing_context_fallbacks", FORCED_FALLBACK],
  ["mock_testing_context_window_fallbacks", FORCED_FALLBACK],
  ["mock_testing_content_policy_fallbacks", FORCED_FALLBACK],
  ["user_config", ENDPOINT_CHOICE],
  ["api_base", ENDPOINT_CHOICE],
  ["base_url", ENDPOINT_CHOICE],
  ["api_key", ENDPOINT_CHOICE],
  ["aws_bedrock_runtime_endpoint", ENDPOINT_CHOICE],
  ["aws_sts_endpoint", ENDPOINT_CHOICE],
  ["aws_web_identity_token", ENDPOINT_CHOICE],
  ["aws_role_name", ENDPOINT_CHOICE],
  ["vertex_credentials", ENDPOINT_CHOICE],
  ["s3_endpoint_url", ENDPOINT_CHOICE],
  ["sagemaker_base_url", ENDPOINT_CHOICE],
  ["deployment_url", ENDPOINT_CHOICE],
  ["azure_ad_token", ENDPOINT_CHOICE],
  ["aws_access_key_id", ENDPOINT_CHOICE],
  ["aws_secret_access_key", ENDPOINT_CHOICE],
  ["aws_session_token", ENDPOINT_CHOICE],
  ["aws_profile_name", ENDPOINT_CHOICE],
  ["vertex_ai_credentials", ENDPOINT_CHOICE],
  ["litellm_credential_name", ENDPOINT_CHOICE],
  ["model_list", ENDPOINT_CHOICE],
  ["custom_llm_provider", ENDPOINT_CHOICE],
  ["deployment_id", ENDPOINT_CHOICE],
  ["tenant_id", ENDPOINT_CHOICE],
  ["client_id", ENDPOINT_CHOICE],
  ["client_secret", ENDPOINT_CHOICE],
  ["azure_username", ENDPOINT_CHOICE],
  ["azure_password", ENDPOINT_CHOICE],
  ["azure_scope", ENDPOINT_CHOICE],
  ["organization", ACCOUNT_CHOICE],
  ["vertex_project", ACCOUNT_CHOICE],
  ["vertex_ai_project", ACCOUNT_CHOICE],
  ["aws_region_name", ACCOUNT_CHOICE],
  ["vertex_location", ACCOUNT_CHOICE],
  ["vertex_ai_location", ACCOUNT_CHOICE],
  ["extra_headers", ENDPOINT_CHOICE],
  ["headers", ENDPOINT_CHOICE],
  ["extra_body", NESTED_BODY],
]);

/**
 * `provider: {}` states no preference: done-hub's OpenRouter channel sends it on every request (a Go
 * struct field, which omitempty never leaves out).
 */
const EMPTY_ASKS_NOTHING: ReadonlySet<string> = new Set(["provider"]);

/**
 * `raw` once no relay field is set (else the 400 naming it), without the relay fields sent as null
 * (or, for provider, as {}).
 * The usual body carries none and is returned as it came, without a copy.
 */
export function withoutRelayRouting(raw: Record<string, unknown>): Record<string, unknown> {
  if (!refuseFields(raw, REFUSED, EMPTY_ASKS_NOTHING)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([field]) => REFUSED[field] === undefined));
}
