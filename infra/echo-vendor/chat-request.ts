/**
 * A Chat Completions body as the echo vendor reads it, every field checked before an answer is built
 * (echo-answer.ts), a wrong one OpenAI's 400 (a Refusal): messages, tools, tool_choice,
 * response_format, max_tokens / max_completion_tokens and stream as the test fakes read them
 * (openai-chat-readers.ts); `n` 1..128; `stop` a string or up to 4; `top_logprobs` 0..20 and only with
 * `logprobs: true`.
 *
 * @example readChatRequest({ messages: [{ role: "user", content: "hi" }], n: 2 }) // { n: 2, stops: [], … }
 */
import type { EchoMessage } from "./echo-reply.ts";
import { readFormat, readMaxTokens, readMessages, readStreaming, readToolUse, wrongType, type FunctionTool, type ToolChoice } from "./openai-chat-readers.ts";
import { integerRefusal, Refusal } from "./openai-request-readers.ts";

const MAX_N = 128;
const MAX_STOP = 4;
const MAX_TOP_LOGPROBS = 20;

export interface ChatRequest {
  messages: EchoMessage[];
  n: number;
  stops: string[];
  /** Asked with `logprobs: true`: top is top_logprobs (0 when not given). */
  logprobs: { top: number } | null;
  tools: FunctionTool[];
  choice: ToolChoice;
  /** `response_format` as sent ({} when not given), its type checked. */
  format: Record<string, unknown>;
  maxTokens: number | undefined;
  stream: boolean;
  includeUsage: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** OpenAI's answer to top_logprobs without logprobs: true. */
const TOP_LOGPROBS_WITHOUT_LOGPROBS = new Refusal("The 'top_logprobs' parameter is only allowed when 'logprobs' is enabled.", "top_logprobs", null);

/** The stop sequences: none, a string, or an array of up to MAX_STOP strings; else OpenAI's 400. */
function stopSequences(value: unknown): string[] | Refusal {
  if (value == null) return [];
  if (typeof value === "string") return [value];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    return wrongType("stop", "one of a string or array of strings", value);
  }
  if (value.length > MAX_STOP) {
    return new Refusal(`Invalid 'stop': array too long. Expected an array with maximum length ${MAX_STOP}, but got an array with length ${value.length} instead.`, "stop", "array_above_max_length");
  }
  return value;
}

export function readChatRequest(body: Record<string, unknown>): ChatRequest | Refusal {
  const messages = readMessages(body.messages);
  if (messages instanceof Refusal) return messages;
  const n = body.n == null ? 1 : body.n;
  const badN = integerRefusal("n", n, 1, MAX_N);
  if (badN) return badN;
  const stops = stopSequences(body.stop);
  if (stops instanceof Refusal) return stops;
  const top = body.top_logprobs == null ? 0 : body.top_logprobs;
  const badTop = integerRefusal("top_logprobs", top, 0, MAX_TOP_LOGPROBS);
  if (badTop) return badTop;
  if (body.top_logprobs != null && body.logprobs !== true) return TOP_LOGPROBS_WITHOUT_LOGPROBS;
  const toolUse = readToolUse(body);
  if (toolUse instanceof Refusal) return toolUse;
  const { tools, choice } = toolUse;
  const format = readFormat(body.response_format);
  if (format instanceof Refusal) return format;
  const maxTokens = readMaxTokens(body);
  if (maxTokens instanceof Refusal) return maxTokens;
  const streaming = readStreaming(body);
  if (streaming instanceof Refusal) return streaming;
  return {
    messages,
    n: n as number,
    stops,
    logprobs: body.logprobs === true ? { top: top as number } : null,
    tools,
    choice,
    format: isRecord(body.response_format) ? body.response_format : {},
    maxTokens,
    ...streaming,
  };
}
