/**
 * OpenAI Chat Completions wire shapes, as documented at
 * https://platform.openai.com/docs/api-reference/chat/object and .../chat/streaming.
 */
import type { EchoChoice } from "./echo-answer.ts";
import type { Refusal } from "./openai-request-readers.ts";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageBody(prompt: number, completion: number) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** A choice's message: its content, or (content null) its one function call. */
export function messageBody(choice: EchoChoice) {
  const call = choice.toolCall;
  const content = call ? null : choice.pieces.join("");
  return {
    role: "assistant",
    content,
    refusal: null,
    annotations: [],
    ...(call ? { tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }] } : {}),
  };
}

/** One content token's log probability: the echo is certain of every token (logprob 0), its only candidate. */
function tokenLogprob(token: string, top: number) {
  const bytes = [...Buffer.from(token)];
  return { token, logprob: 0, bytes, top_logprobs: top > 0 ? [{ token, logprob: 0, bytes }] : [] };
}

/** A choice's `logprobs` for these content tokens: null unless asked (`top` is top_logprobs). */
export function logprobsBody(tokens: string[], asked: { top: number } | null) {
  return asked ? { content: tokens.map((token) => tokenLogprob(token, asked.top)), refusal: null } : null;
}

export function completionBody(id: string, created: number, model: string, choices: EchoChoice[], usage: ReturnType<typeof usageBody>) {
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: choices.map((choice) => ({ index: choice.index, message: messageBody(choice), logprobs: logprobsBody(choice.pieces, choice.logprobs), finish_reason: choice.finish })),
    usage,
    service_tier: "default",
    system_fingerprint: "fp_echo",
  };
}

/** One chunk; `usage: null` on every chunk is what OpenAI sends when include_usage is on. */
export function chunkBody(id: string, created: number, model: string, choices: unknown[], usage?: unknown) {
  const chunk: Record<string, unknown> = { id, object: "chat.completion.chunk", created, model, service_tier: "default", system_fingerprint: "fp_echo", choices };
  if (usage !== undefined) chunk.usage = usage;
  return chunk;
}

export const sse = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
export const SSE_DONE = "data: [DONE]\n\n";

/** OpenAI's error JSON. */
export function errorResponse(status: number, message: string, type: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { message, type, param, code } }, { status, headers });
}

/** A Refusal (a request read as OpenAI would refuse it) as OpenAI's 400. */
export const refusalResponse = (r: Refusal): Response => errorResponse(400, r.message, r.type, r.code, r.param);
