/**
 * OpenAI request fields Gemini's generateContent has no equivalent for: a 400 naming the field when
 * set to anything but its no-op value, never a silent drop (the client would get an answer that
 * ignored what it asked for). presence_penalty, frequency_penalty and seed are translated (request.ts).
 *
 * @example refuseUnsupported({ n: 2 }) // throws UnsupportedParameterError("n", ...)
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

export function refuseUnsupported(raw: Record<string, unknown>): void {
  const set = (k: string) => raw[k] !== undefined && raw[k] !== null;
  const refuse = (k: string, why: string) => {
    throw new UnsupportedParameterError(k, why);
  };
  if (set("n") && raw.n !== 1) refuse("n", "This provider returns one choice per request; n must be 1.");
  if (raw.logprobs === true) refuse("logprobs", "This provider does not return logprobs.");
  if (set("top_logprobs")) refuse("top_logprobs", "This provider does not return logprobs.");
  if (set("logit_bias") && Object.keys(raw.logit_bias as object).length > 0) refuse("logit_bias", "This provider does not support logit_bias.");
  if (set("audio") || (Array.isArray(raw.modalities) && raw.modalities.some((m) => m !== "text"))) refuse("modalities", "This provider answers text only here.");
  if (set("reasoning_effort")) refuse("reasoning_effort", "This provider does not support reasoning_effort.");
  // Gemini may answer with several function calls in one turn and has no switch to stop it.
  if (raw.parallel_tool_calls === false) refuse("parallel_tool_calls", "This provider cannot be limited to one tool call per turn.");
  // The legacy function-calling fields: tools and tool_choice say the same and are translated.
  if (set("functions")) refuse("functions", "This provider does not support the deprecated 'functions'; use 'tools'.");
  if (set("function_call")) refuse("function_call", "This provider does not support the deprecated 'function_call'; use 'tool_choice'.");
  if (set("web_search_options")) refuse("web_search_options", "This provider does not support web_search_options.");
  if (set("prediction")) refuse("prediction", "This provider does not support predicted outputs.");
  // "auto" and "default" both mean standard processing here, which is all a Gemini request gets.
  if (set("service_tier") && raw.service_tier !== "auto" && raw.service_tier !== "default") {
    refuse("service_tier", "This provider accepts service_tier 'auto' or 'default' only.");
  }
  // "medium" is OpenAI's default verbosity: asking for it changes nothing.
  if (set("verbosity") && raw.verbosity !== "medium") refuse("verbosity", "This provider does not support verbosity.");
  if (set("metadata") && (typeof raw.metadata !== "object" || Object.keys(raw.metadata as object).length > 0)) {
    refuse("metadata", "This provider does not take request metadata.");
  }
  if (raw.store === true) refuse("store", "This provider does not store completions.");
  // OpenAI's end-user id for abuse monitoring; Gemini has no field to carry it.
  if (set("user") && raw.user !== "") refuse("user", "This provider has no end-user id field.");
}
