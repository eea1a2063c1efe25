/**
 * NormalizedUsage → what an OpenAI client reads: the `usage` object of a completion, and the chunk
 * that carries it at the end of a stream (`choices: []`) for a client that asked for it
 * (stream_options.include_usage). For every adapter whose vendor does not speak OpenAI's usage, and
 * for an estimate shown in its place.
 *
 * Cache writes (Anthropic's cache_creation_input_tokens) are shown as `cache_write_tokens`, OpenAI's
 * field for them, where there are any.
 *
 * @example toOpenAIUsage({ inputTokens: 5, outputTokens: 2, cachedInputTokens: 1, cacheWriteTokens: 0, reasoningTokens: 0 })
 *          // { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 }, ... }
 */
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { ChatCompletionChunk, OpenAIUsage, ResponseContext } from "./types.ts";

export function toOpenAIUsage(usage: NormalizedUsage): OpenAIUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    // A cache write is shown as OpenAI shows one (GPT-5.6 on), only when there is one.
    prompt_tokens_details: usage.cacheWriteTokens > 0 ? { cached_tokens: usage.cachedInputTokens, cache_write_tokens: usage.cacheWriteTokens } : { cached_tokens: usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/** The usage chunk that ends a stream, as OpenAI sends it: no choices, the usage. */
export function usageChunk(ctx: Pick<ResponseContext, "completionId" | "created" | "model">, usage: NormalizedUsage): ChatCompletionChunk {
  return { id: ctx.completionId, object: "chat.completion.chunk", created: ctx.created, model: ctx.model, choices: [], usage: toOpenAIUsage(usage) };
}
