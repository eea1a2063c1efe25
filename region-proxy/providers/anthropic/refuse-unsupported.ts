/**
 * OpenAI request fields Anthropic's Messages API has no equivalent for: those no non-OpenAI vendor has
 * (refuse-without-equivalent.ts), then Anthropic's own. `user` and `safety_identifier` are translated
 * (request.ts), `service_tier` mapped (service-tier.ts), `reasoning_effort` to extended thinking (thinking.ts). Any field not in TRANSLATED_CHAT_FIELDS is refused.
 *
 * @example refuseUnsupported({ n: 2 }) // throws UnsupportedParameterError("n", ...)
 * @example refuseUnsupported({ seed: 1 }) // throws UnsupportedParameterError("seed", ...)
 * @example refuseUnsupported({ top_k: 5 }) // throws UnsupportedParameterError("top_k", ...)
 */
import { isSet, refuse, refuseUnknownFields, refuseWithoutEquivalent, TRANSLATED_CHAT_FIELDS } from "../refuse-without-equivalent.ts";

export function refuseUnsupported(raw: Record<string, unknown>): void {
  refuseWithoutEquivalent(raw);
  // The Messages API answers one message per request and has no field for more.
  if (isSet(raw, "n") && raw.n !== 1) refuse("n", "This provider returns one choice per request; n must be 1.");
  for (const k of ["presence_penalty", "frequency_penalty"]) {
    if (isSet(raw, k) && raw[k] !== 0) refuse(k, `This provider does not support ${k}.`);
  }
  if (isSet(raw, "seed")) refuse("seed", "This provider does not support seed.");
  // Anthropic's metadata takes only user_id (sent from `safety_identifier` or `user`).
  if (isSet(raw, "metadata") && (typeof raw.metadata !== "object" || Object.keys(raw.metadata as object).length > 0)) {
    refuse("metadata", "This provider does not take request metadata; use 'safety_identifier' for an end-user id.");
  }
  // parse-request.ts checks `user` is a string; safety_identifier becomes user_id too, so it must be one.
  if (isSet(raw, "safety_identifier") && typeof raw.safety_identifier !== "string") refuse("safety_identifier", "Invalid 'safety_identifier': expected a string.");
  // Anthropic's top_k, Gemini's or a newer OpenAI field: Anthropic would never see it.
  refuseUnknownFields(raw, TRANSLATED_CHAT_FIELDS);
}
