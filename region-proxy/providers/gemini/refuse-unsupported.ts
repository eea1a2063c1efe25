/**
 * OpenAI request fields Gemini's generateContent has no equivalent for: those no non-OpenAI vendor has
 * (refuse-without-equivalent.ts), then Gemini's own, then any field not in TRANSLATED_CHAT_FIELDS.
 * n (as candidateCount), presence_penalty, frequency_penalty, seed and reasoning_effort (as thinkingConfig,
 * thinking-config.ts) are translated (request.ts).
 *
 * @example refuseUnsupported({ user: "u1" }, false) // throws UnsupportedParameterError("user", ...)
 * @example refuseUnsupported({ safety_identifier: "u1" }, false) // throws UnsupportedParameterError("safety_identifier", ...)
 * @example refuseUnsupported({ top_k: 5 }, false) // throws UnsupportedParameterError("top_k", ...)
 * @example refuseUnsupported({ parallel_tool_calls: false }, true) // throws UnsupportedParameterError("parallel_tool_calls", ...)
 */
import { isSet, refuse, refuseUnknownFields, refuseWithoutEquivalent, TRANSLATED_CHAT_FIELDS } from "../refuse-without-equivalent.ts";
import { refuseUnpricedServiceTier } from "../service-tier.ts";

/** `callableTools`: the request has tools and tool_choice is not none (request.ts), so parallel_tool_calls: false asks for something. */
export function refuseUnsupported(raw: Record<string, unknown>, callableTools: boolean): void {
  refuseWithoutEquivalent(raw);
  // Gemini may answer with several function calls in one turn and has no switch to stop it; without
  // callable tools (none, or tool_choice none: `callableTools` false) the limit asks for nothing.
  if (raw.parallel_tool_calls === false && callableTools) refuse("parallel_tool_calls", "This provider cannot be limited to one tool call per turn.");
  // "auto" and "default" both mean standard processing here, which is all a Gemini request gets.
  refuseUnpricedServiceTier(raw);
  if (isSet(raw, "metadata") && (typeof raw.metadata !== "object" || Object.keys(raw.metadata as object).length > 0)) {
    refuse("metadata", "This provider does not take request metadata.");
  }
  refuseEndUserId(raw);
  // Gemini's topK, Anthropic's top_k or a newer OpenAI field: Gemini would never see it.
  refuseUnknownFields(raw, TRANSLATED_CHAT_FIELDS);
}

/**
 * OpenAI's end-user id for abuse monitoring (safety_identifier is its documented successor to user):
 * Gemini has no field to carry either, in chat or embeddings. "" asks for nothing.
 */
export function refuseEndUserId(raw: Record<string, unknown>): void {
  for (const k of ["user", "safety_identifier"]) {
    if (isSet(raw, k) && raw[k] !== "") refuse(k, "This provider has no end-user id field.");
  }
}
