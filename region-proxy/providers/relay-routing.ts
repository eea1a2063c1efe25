/**
 * Body fields by which an OpenAI-compatible relay lets a request choose another model, or another
 * upstream, than the one its deployment names. An OpenAI-format deployment gets the client's body as
 * sent (unknown fields included, for the server's own sampling options), and its baseUrl may be such a
 * relay:
 * - OpenRouter: `models` (fallback models, "priced using the model that was ultimately used"), `route`
 *   ("fallback": a model OpenRouter picks), `preset` (a stored configuration that may set models and
 *   providers) (https://openrouter.ai/docs/guides/routing/model-fallbacks, .../features/presets);
 * - LiteLLM's proxy: `fallbacks` and `context_window_fallbacks` (client-side fallbacks to other model
 *   groups), `user_config` (a whole router config: a model list with api_base and api_key), and the
 *   client-side credentials `api_base`, `base_url`, `api_key`
 *   (https://docs.litellm.ai/docs/proxy/client_side_fallbacks, .../proxy/clientside_auth).
 * The gateway prices the answer at its deployment's model and checks the key's aliases against it, and
 * nothing in a request may choose where a call goes: each is a 400 naming it, before any call (OpenAI
 * and Azure refuse them anyway as unknown). `null` asks for nothing and passes.
 *
 * @example refuseRelayRouting({ models: ["openai/o1-pro"] }) // throws UnsupportedParameterError("models", ...)
 */
import { refuseFields, type RefusedFields } from "./refuse-fields.ts";

const MODEL_CHOICE = "The gateway chooses the model from the alias's deployments; a request cannot name other models for the provider to use.";
const ENDPOINT_CHOICE = "The gateway calls only its deployments' own endpoints with their own credentials; a request cannot name another.";

const REFUSED: RefusedFields = [
  ["models", MODEL_CHOICE],
  ["route", MODEL_CHOICE],
  ["preset", MODEL_CHOICE],
  ["fallbacks", MODEL_CHOICE],
  ["context_window_fallbacks", MODEL_CHOICE],
  ["user_config", ENDPOINT_CHOICE],
  ["api_base", ENDPOINT_CHOICE],
  ["base_url", ENDPOINT_CHOICE],
  ["api_key", ENDPOINT_CHOICE],
];

export function refuseRelayRouting(raw: Record<string, unknown>): void {
  refuseFields(raw, REFUSED);
}
