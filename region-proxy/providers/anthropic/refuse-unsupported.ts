/**
 * OpenAI request fields Anthropic's Messages API has no equivalent for: a 400 naming the field when
 * set to anything but its no-op value, never a silent drop (the client would get an answer that
 * ignored what it asked for). `user` is translated (request.ts), `service_tier` mapped (service-tier.ts).
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
  for (const k of ["presence_penalty", "frequency_penalty"]) {
    if (set(k) && raw[k] !== 0) refuse(k, `This provider does not support ${k}.`);
  }
  if (set("logit_bias") && Object.keys(raw.logit_bias as object).length > 0) refuse("logit_bias", "This provider does not support logit_bias.");
  if (set("seed")) refuse("seed", "This provider does not support seed.");
  if (set("audio") || (Array.isArray(raw.modalities) && raw.modalities.some((m) => m !== "text"))) refuse("modalities", "This provider answers text only.");
  if (set("reasoning_effort")) refuse("reasoning_effort", "This provider does not support reasoning_effort.");
  // The legacy function-calling fields: tools and tool_choice say the same and are translated.
  if (set("functions")) refuse("functions", "This provider does not support the deprecated 'functions'; use 'tools'.");
  if (set("function_call")) refuse("function_call", "This provider does not support the deprecated 'function_call'; use 'tool_choice'.");
  if (set("web_search_options")) refuse("web_search_options", "This provider does not support web_search_options.");
  if (set("prediction")) refuse("prediction", "This provider does not support predicted outputs.");
  // "medium" is OpenAI's default verbosity: asking for it changes nothing.
  if (set("verbosity") && raw.verbosity !== "medium") refuse("verbosity", "This provider does not support verbosity.");
  // Anthropic's metadata takes only user_id (sent from `user`), and it keeps no completions to store.
  if (set("metadata") && (typeof raw.metadata !== "object" || Object.keys(raw.metadata as object).length > 0)) {
    refuse("metadata", "This provider does not take request metadata; use 'user' for an end-user id.");
  }
  if (raw.store === true) refuse("store", "This provider does not store completions.");
}
