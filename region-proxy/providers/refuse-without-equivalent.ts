/**
 * The OpenAI request fields that neither Anthropic's Messages API nor Gemini's generateContent has an
 * equivalent for: a 400 naming the field when it is set to anything but its no-op value, never a silent
 * drop (the client would get an answer that ignored what it asked for). Each adapter's
 * refuse-unsupported.ts adds its own (what it translates, it does not refuse), then refuses with
 * refuseUnknownFields any field it has no rule for at all.
 *
 * @example refuseWithoutEquivalent({ logprobs: true }) // throws UnsupportedParameterError("logprobs", ...)
 * @example refuseUnknownFields({ top_k: 5 }, new Set(["model"])) // throws UnsupportedParameterError("top_k", ...)
 */
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

export const isSet = (raw: Record<string, unknown>, key: string) => raw[key] !== undefined && raw[key] !== null;

export function refuse(key: string, why: string): never {
  throw new UnsupportedParameterError(key, why);
}

/** The fields refuseWithoutEquivalent rules on: each passes at its no-op value, else is refused. */
export const FIELDS_WITHOUT_EQUIVALENT = [
  "logprobs",
  "top_logprobs",
  "logit_bias",
  "audio",
  "modalities",
  "functions",
  "function_call",
  "web_search_options",
  "prediction",
  "verbosity",
  "store",
] as const;

/**
 * OpenAI fields that change how the request is served, never the answer, so a vendor without them
 * accepts and ignores them rather than refusing: prompt_cache_key only groups requests for OpenAI's
 * prompt cache, prompt_cache_retention only says how long OpenAI keeps it. Refusing either would refuse
 * a fallback from OpenAI to another vendor for a hint.
 */
export const ANSWER_NEUTRAL_HINTS = ["prompt_cache_key", "prompt_cache_retention"] as const;

/**
 * Every top-level field of an OpenAI chat request that a translating adapter (Anthropic, Gemini) rules
 * on: each translates it or refuses it unless at its no-op value (its refuse-unsupported.ts says
 * which), or it is one refuseWithoutEquivalent rules on, or a hint that changes no answer. Anything
 * else is refused by refuseUnknownFields.
 */
export const TRANSLATED_CHAT_FIELDS: ReadonlySet<string> = new Set([
  // Read by parse-request.ts and translated by every adapter (tools.ts for the tool fields).
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
  // Translated by one adapter, refused by the other unless at their no-op value.
  "n", // Gemini's candidateCount; Anthropic answers one message per request
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "parallel_tool_calls",
  "service_tier",
  "metadata",
  "user",
  "safety_identifier",
  "reasoning_effort", // Gemini's thinkingConfig (gemini/thinking-config.ts)
  ...FIELDS_WITHOUT_EQUIVALENT,
  ...ANSWER_NEUTRAL_HINTS,
]);

/**
 * Every top-level field of an OpenAI embeddings request that a translating adapter (Gemini) rules on:
 * translated, or refused by refuseEndUserId. Anything else is refused by refuseUnknownFields.
 */
export const TRANSLATED_EMBEDDINGS_FIELDS: ReadonlySet<string> = new Set(["model", "input", "encoding_format", "dimensions", "user", "safety_identifier"]);

/**
 * Refuses the first top-level field of the client's request that is not in `known` (what the adapter
 * translates, refuses or knows to be a no-op): a vendor that takes only the fields it documents would
 * otherwise never see it, and the client would get an answer that ignored it. A null value asks for
 * nothing (as isSet reads every field), so it passes.
 */
export function refuseUnknownFields(raw: Record<string, unknown>, known: ReadonlySet<string>): void {
  for (const key of Object.keys(raw)) {
    if (!known.has(key) && isSet(raw, key)) refuse(key, `This provider does not support '${key}'.`);
  }
}

export function refuseWithoutEquivalent(raw: Record<string, unknown>): void {
  const set = (key: string) => isSet(raw, key);
  if (raw.logprobs === true) refuse("logprobs", "This provider does not return logprobs.");
  if (set("top_logprobs")) refuse("top_logprobs", "This provider does not return logprobs.");
  if (set("logit_bias") && Object.keys(raw.logit_bias as object).length > 0) refuse("logit_bias", "This provider does not support logit_bias.");
  // Named as the client sent it: `modalities` when it asks for audio, else `audio` (unpriced-audio.ts's order).
  if (Array.isArray(raw.modalities) && raw.modalities.some((m) => m !== "text")) refuse("modalities", "This provider answers text only.");
  if (set("audio")) refuse("audio", "This provider answers text only; it has no audio output.");
  // The legacy function-calling fields: tools and tool_choice say the same and are translated.
  if (set("functions")) refuse("functions", "This provider does not support the deprecated 'functions'; use 'tools'.");
  if (set("function_call")) refuse("function_call", "This provider does not support the deprecated 'function_call'; use 'tool_choice'.");
  if (set("web_search_options")) refuse("web_search_options", "This provider does not support web_search_options.");
  if (set("prediction")) refuse("prediction", "This provider does not support predicted outputs.");
  // "medium" is OpenAI's default verbosity: asking for it changes nothing.
  if (set("verbosity") && raw.verbosity !== "medium") refuse("verbosity", "This provider does not support verbosity.");
  if (raw.store === true) refuse("store", "This provider does not store completions.");
}
