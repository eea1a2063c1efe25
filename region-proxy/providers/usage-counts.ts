/**
 * What a token count may be before it is billed, whether a vendor reported it or the gateway estimated
 * it. The control plane refuses a usage event whose counts are not non-negative safe integers, so a
 * NaN, 1e300, "7" or -1 reaching an event leaves the request never billed; and a finite but absurd
 * count (1e12) would be billed as is. Every adapter reads the vendor's counts through `reportedCount`
 * and `usableUsage`: one unusable count makes that vendor's usage count as missing, and the request
 * is charged the estimate, as if no usage had been sent (`estimatedUsage`, VendorStream.usageSoFar).
 * Garbage usage is then never cheaper than no usage, and the client sees the usage it is charged.
 */
import { ZERO_USAGE, type NormalizedUsage } from "../../shared/money/cost.ts";
import { estimateEmbeddingTokens } from "../openai/parse-embeddings-request.ts";
import type { ChatCompletion, EmbeddingsRequest, ResponseContext } from "./types.ts";

/**
 * The most tokens one request may be billed for in any one count (input, output, ...): 10 million,
 * five times the largest context window offered (2M) and far above any real answer. A vendor count
 * above it is garbage, and an estimate is capped at it.
 */
export const MAX_REQUEST_TOKENS = 10_000_000;

/** A count as the vendor reported it: the number when usable, null when not (absent included). */
export function reportedCount(value: unknown): number | null {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_REQUEST_TOKENS ? (value as number) : null;
}

/** A count the vendor may leave out (absent or null means 0); present, it must be usable. */
export function optionalCount(value: unknown): number | null {
  return value === undefined || value === null ? 0 : reportedCount(value);
}

/** The sum of some counts, null when any is unusable (or the sum passes the bound). */
export function sumCounts(...counts: (number | null)[]): number | null {
  let sum = 0;
  for (const count of counts) {
    if (count === null) return null;
    sum += count;
  }
  return reportedCount(sum);
}

/** A count that is there and usable. */
const usable = (count: number | null): count is number => count !== null && reportedCount(count) !== null;

/** A usage whose every count is usable, or null: the vendor's usage then counts as missing. */
export function usableUsage(counts: { [K in keyof NormalizedUsage]: number | null }): NormalizedUsage | null {
  const { inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, reasoningTokens } = counts;
  if (!usable(inputTokens) || !usable(outputTokens) || !usable(cachedInputTokens) || !usable(cacheWriteTokens) || !usable(reasoningTokens)) return null;
  return { inputTokens, outputTokens, cachedInputTokens, cacheWriteTokens, reasoningTokens };
}

/** An estimate as a count: rounded up, 0 for nothing (or NaN), at most MAX_REQUEST_TOKENS. */
export function estimatedCount(tokens: number): number {
  return tokens > 0 ? Math.min(MAX_REQUEST_TOKENS, Math.ceil(tokens)) : 0;
}

/**
 * Embeddings' input tokens: the vendor's count when usable, else `estimate` (the count the request
 * was reserved with) when given, else one token per 4 characters of the input (never nothing).
 */
export function embeddingInputTokens(reported: unknown, input: EmbeddingsRequest["input"], estimate?: () => number): number {
  return reportedCount(reported) ?? estimatedCount(estimate ? estimate() : estimateEmbeddingTokens(input));
}

/** The length of a text field, 0 when the vendor put anything but a string there. */
export function textLength(value: unknown): number {
  return typeof value === "string" ? value.length : 0;
}

/**
 * Characters of the reasoning an OpenAI-format reasoning model showed in a message or a delta:
 * `reasoning_content` (DeepSeek, vLLM before 0.16 or so) or `reasoning` (OpenRouter, newer vLLM). A
 * vendor that sends both (vLLM in between, OpenRouter) sends one text under two names: the longer
 * counts, never both. OpenRouter's `reasoning_details` repeats `reasoning` and is not counted.
 */
export function reasoningChars(holder: Record<string, unknown>): number {
  return Math.max(textLength(holder.reasoning_content), textLength(holder.reasoning));
}

/**
 * For an answer without usable usage: the prompt estimate, and one output token per 4 characters of
 * what was answered (content, refusal, tool and legacy function calls: callChars), plus one
 * reasoning token (of the output, as vendors report it: NormalizedUsage) per 4 characters of visible
 * reasoning (reasoningChars), as a stream is estimated from what it streamed (vendor-stream.ts
 * usageSoFar), so both cost the same.
 */
export function estimatedUsage(completion: ChatCompletion, ctx: ResponseContext): NormalizedUsage {
  let chars = 0;
  let reasoning = 0;
  for (const choice of completion.choices as unknown[]) {
    const message = (choice as { message?: unknown } | null)?.message as Record<string, unknown> | null | undefined;
    if (typeof message !== "object" || message === null) continue;
    chars += textLength(message.content) + textLength(message.refusal);
    reasoning += reasoningChars(message);
    chars += callChars(message);
  }
  const reasoningTokens = estimatedCount(reasoning / 4);
  return {
    ...ZERO_USAGE,
    inputTokens: estimatedCount(ctx.promptEstimate?.(ctx.model) ?? 0),
    outputTokens: estimatedCount(reasoningTokens + estimatedCount(chars / 4)),
    reasoningTokens,
  };
}

/**
 * The calls a message (or a streamed delta) made, each counted once: its `tool_calls`, or the
 * deprecated `function_call` an OpenAI-format vendor answers a request's `functions` with (as a tool
 * call `{ function }`), whichever has more characters (toolCallChars; `tool_calls` on a tie). OpenAI
 * sends one of the two; llama-cpp-python's server puts the same call in both, in each streamed delta
 * and in the message (llama_chat_format.py _convert_completion_to_chat_function), and a caller that
 * replays that message sends both back: the one rule for the answer's charge (callChars) and the
 * prompt's estimate (limits/estimate-prompt-tokens.ts). tool_calls that are no list count as none.
 *
 * @example countedCalls({ function_call: call, tool_calls: [{ id: "c1", type: "function", function: call }] }) // the tool_calls
 */
export function countedCalls(holder: Record<string, unknown>): unknown[] {
  const tools: unknown[] = Array.isArray(holder.tool_calls) ? holder.tool_calls : [];
  const legacy = { function: holder.function_call };
  return toolCallChars(legacy) > sumChars(tools) ? [legacy] : tools;
}

/**
 * Characters of the calls a message (or a streamed delta) made (countedCalls: a call under both
 * `tool_calls` and `function_call` is charged once). Only strings count (toolCallChars).
 *
 * @example callChars({ content: null, function_call: { name: "f", arguments: "{}" } }) // 3
 */
export function callChars(holder: Record<string, unknown>): number {
  return sumChars(countedCalls(holder));
}

function sumChars(calls: unknown[]): number {
  let chars = 0;
  for (const call of calls) chars += toolCallChars(call);
  return chars;
}

/**
 * Characters of a tool call (or a streamed piece of one) the model wrote: a function's name and
 * arguments, and a custom tool's name and input (GPT-5 custom tools: its free-form text is what
 * arguments are to a function). Only strings count, whatever the vendor put in `function` or `custom`.
 *
 * @example toolCallChars({ index: 0, custom: { input: "print(1)" } }) // 8
 */
export function toolCallChars(call: unknown): number {
  if (typeof call !== "object" || call === null) return 0;
  const { function: fn, custom } = call as { function?: unknown; custom?: unknown };
  return namedTextChars(fn, "arguments") + namedTextChars(custom, "input");
}

/** Characters of `body.name` and `body[text]`, 0 for what is not a string. */
function namedTextChars(body: unknown, text: "arguments" | "input"): number {
  if (typeof body !== "object" || body === null) return 0;
  return textLength((body as { name?: unknown }).name) + textLength((body as Record<string, unknown>)[text]);
}
