/**
 * Validates the fields of an OpenAI chat request that the gateway reads; everything else passes
 * through untouched in `raw`. Out-of-range values are rejected with the parameter named, never clamped.
 *
 * @example parseChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }] }) // { ok: true, value }
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { ChatMessage, ChatRequest } from "../providers/types.ts";
import { checkMessage } from "./check-message.ts";
import { checkOptions } from "./check-options.ts";
import { checkTools } from "./check-tools.ts";
import { isRecord } from "../../shared/is-record.ts";
import { given } from "./given.ts";

export type ParsedRequest = { ok: true; value: ChatRequest } | { ok: false; error: GatewayError };

const invalid = (param: string, message: string): ParsedRequest => ({ ok: false, error: { kind: "invalid_value", param, message } });
/**
 * Upper bounds for the counts a request may ask for: OpenAI's own limit on `n`, and 2^31 - 1 output
 * tokens (far above any model's window), so the limits step's estimate (prompt + n x max tokens, then
 * priced in micro-USD) stays exact arithmetic instead of passing 2^53.
 */
const COUNT_LIMITS = [
  ["max_tokens", 2_147_483_647],
  ["max_completion_tokens", 2_147_483_647],
  ["n", 128],
] as const;
const isPositiveInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;
const inRange = (v: unknown, min: number, max: number) => typeof v === "number" && Number.isFinite(v) && v >= min && v <= max;

/** allowPrivateMediaUrls (ALLOW_PRIVATE_MEDIA_URLS): skip only the media URL rule's private-host step (media-url.ts); scheme, credentials, parse and ambiguity checks stay. */
export interface ChatParseOptions {
  allowPrivateMediaUrls?: boolean;
}

export function parseChatRequest(body: unknown, parseOptions: ChatParseOptions = {}): ParsedRequest {
  if (!isRecord(body)) return { ok: false, error: { kind: "invalid_json", message: "The request body must be a JSON object." } };
  if (typeof body.model !== "string" || body.model === "") return invalid("model", "Invalid 'model': expected a non-empty string.");
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return invalid("messages", "Invalid 'messages': expected a non-empty array of messages.");
  }
  for (let i = 0; i < body.messages.length; i++) {
    const problem = checkMessage(body.messages[i], i, parseOptions.allowPrivateMediaUrls === true);
    if (problem) return invalid(problem.param, problem.message);
  }
  if (given(body.stream) && typeof body.stream !== "boolean") return invalid("stream", "Invalid 'stream': expected a boolean.");
  const options = body.stream_options;
  if (given(options)) {
    if (!isRecord(options)) return invalid("stream_options", "Invalid 'stream_options': expected an object.");
    // null asks for nothing, as stream_options: null does; the client's value is never sent on (openai/request.ts asks for usage itself).
    if (given(options.include_usage) && typeof options.include_usage !== "boolean") {
      return invalid("stream_options.include_usage", "Invalid 'stream_options.include_usage': expected a boolean.");
    }
  }
  for (const [field, max] of COUNT_LIMITS) {
    const value = body[field];
    if (given(value) && !(isPositiveInt(value) && (value as number) <= max)) return invalid(field, `Invalid '${field}': expected a positive integer up to ${max}.`);
  }
  if (given(body.temperature) && !inRange(body.temperature, 0, 2)) {
    return invalid("temperature", "Invalid 'temperature': expected a number between 0 and 2.");
  }
  if (given(body.top_p) && !inRange(body.top_p, 0, 1)) return invalid("top_p", "Invalid 'top_p': expected a number between 0 and 1.");
  for (const field of ["presence_penalty", "frequency_penalty"] as const) {
    if (given(body[field]) && !inRange(body[field], -2, 2)) return invalid(field, `Invalid '${field}': expected a number between -2 and 2.`);
  }
  const stop = body.stop;
  if (given(stop) && typeof stop !== "string" && !(Array.isArray(stop) && stop.length <= 4 && stop.every((s) => typeof s === "string"))) {
    return invalid("stop", "Invalid 'stop': expected a string or an array of up to 4 strings.");
  }
  const toolProblem = checkTools(body);
  if (toolProblem) return invalid(toolProblem.param, toolProblem.message);
  for (const field of ["parallel_tool_calls", "logprobs", "store"] as const) {
    if (given(body[field]) && typeof body[field] !== "boolean") return invalid(field, `Invalid '${field}': expected a boolean.`);
  }
  const optionProblem = checkOptions(body);
  if (optionProblem) return invalid(optionProblem.param, optionProblem.message);
  if (given(body.top_logprobs) && !(Number.isSafeInteger(body.top_logprobs) && inRange(body.top_logprobs, 0, 20))) return invalid("top_logprobs", "Invalid 'top_logprobs': expected an integer between 0 and 20.");
  if (given(body.seed) && !Number.isSafeInteger(body.seed)) return invalid("seed", "Invalid 'seed': expected an integer.");
  // reasoning_effort and safety_identifier are translated by Anthropic and Gemini, whose refusal of a
  // non-string the walk would skip as vendor-specific (walk-chain.ts): OpenAI types each a string too.
  for (const field of ["user", "safety_identifier", "reasoning_effort"] as const) {
    if (given(body[field]) && typeof body[field] !== "string") return invalid(field, `Invalid '${field}': expected a string.`);
  }
  const stream = body.stream === true;
  const value: ChatRequest = {
    model: body.model,
    messages: body.messages as ChatMessage[],
    stream,
    includeUsage: stream && isRecord(options) && options.include_usage === true,
    raw: body,
  };
  if (typeof body.max_tokens === "number") value.max_tokens = body.max_tokens;
  if (typeof body.max_completion_tokens === "number") value.max_completion_tokens = body.max_completion_tokens;
  if (typeof body.temperature === "number") value.temperature = body.temperature;
  if (typeof body.top_p === "number") value.top_p = body.top_p;
  if (typeof stop === "string" || Array.isArray(stop)) value.stop = stop as string | string[];
  if (Array.isArray(body.tools)) value.tools = body.tools;
  if (body.tool_choice !== undefined) value.tool_choice = body.tool_choice;
  if (body.response_format !== undefined) value.response_format = body.response_format;
  return { ok: true, value };
}
