/**
 * OpenAI request fields Gemini's generateContent has no equivalent for: those no non-OpenAI vendor has
 * (refuse-without-equivalent.ts), then Gemini's own, then any field not in KNOWN_FIELDS.
 * presence_penalty, frequency_penalty and seed are translated (request.ts).
 *
 * @example refuseUnsupported({ user: "u1" }) // throws UnsupportedParameterError("user", ...)
 * @example refuseUnsupported({ safety_identifier: "u1" }) // throws UnsupportedParameterError("safety_identifier", ...)
 * @example refuseUnsupported({ top_k: 5 }) // throws UnsupportedParameterError("top_k", ...)
 */
import { ANSWER_NEUTRAL_HINTS, FIELDS_WITHOUT_EQUIVALENT, isSet, refuse, refuseUnknownFields, refuseWithoutEquivalent } from "../refuse-without-equivalent.ts";
import { refuseUnpricedServiceTier } from "../service-tier.ts";

/** Every top-level field this adapter translates, refuses (unless at its no-op value) or ignores. */
const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  // Read by parse-request.ts and translated by request.ts (tools.ts for the tool fields).
  "model",
  "messages",
  "stream",
  "stream_options", // include_usage: the adapter always obtains usage, the route decides what to show
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "stop",
  "tools",
  "tool_choice",
  "response_format",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  // Refused below unless at their no-op value.
  "parallel_tool_calls",
  "service_tier",
  "metadata",
  "user",
  "safety_identifier",
  ...FIELDS_WITHOUT_EQUIVALENT,
  ...ANSWER_NEUTRAL_HINTS,
]);

export function refuseUnsupported(raw: Record<string, unknown>): void {
  refuseWithoutEquivalent(raw);
  // Gemini may answer with several function calls in one turn and has no switch to stop it.
  if (raw.parallel_tool_calls === false) refuse("parallel_tool_calls", "This provider cannot be limited to one tool call per turn.");
  // "auto" and "default" both mean standard processing here, which is all a Gemini request gets.
  refuseUnpricedServiceTier(raw);
  if (isSet(raw, "metadata") && (typeof raw.metadata !== "object" || Object.keys(raw.metadata as object).length > 0)) {
    refuse("metadata", "This provider does not take request metadata.");
  }
  // OpenAI's end-user id for abuse monitoring (safety_identifier is its documented successor to user);
  // Gemini has no field to carry either.
  for (const k of ["user", "safety_identifier"]) {
    if (isSet(raw, k) && raw[k] !== "") refuse(k, "This provider has no end-user id field.");
  }
  // Gemini's topK, Anthropic's top_k or a newer OpenAI field: Gemini would never see it.
  refuseUnknownFields(raw, KNOWN_FIELDS);
}
