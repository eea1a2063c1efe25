/**
 * OpenAI Chat Completions wire shapes, as documented at
 * https://platform.openai.com/docs/api-reference/chat/object and .../chat/streaming.
 */
import type { EchoChoice } from "./echo-answer.ts";

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

export function completionBody(id: string, created: number, model: string, choices: EchoChoice[], usage: ReturnType<typeof usageBody>) {
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: choices.map((choice) => ({ index: choice.index, message: messageBody(choice), logprobs: null, finish_reason: choice.finish })),
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

/** A JSON value as OpenAI's type errors name it ("null", "an integer", "a decimal", "a string", "an array", "an object", "a boolean"). */
export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a decimal";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** OpenAI's error JSON. */
export function errorResponse(status: number, message: string, type: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { message, type, param, code } }, { status, headers });
}
