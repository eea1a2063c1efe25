/**
 * The OpenAI chunks of one streamed request whose vendor does not stream OpenAI's (Anthropic, Gemini):
 * every chunk carries the client's completion id, created time and model, one choice at index 0, and
 * `usage: null` when the client asked for the usage chunk (include_usage), as OpenAI's chunks do. The
 * role chunk goes out once, just before the first chunk with output, never earlier: until a chunk is
 * out the executor may still fall back to another deployment.
 *
 * @example const out = translatedChunks(ctx);
 *          out.announce([out.delta({ content: "Hi" })]) // [the role chunk, the "Hi" chunk]
 */
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { usageChunk } from "./to-openai-usage.ts";
import type { ChatCompletionChunk, ResponseContext } from "./types.ts";

type Delta = ChatCompletionChunk["choices"][number]["delta"];

export interface TranslatedChunks {
  /** A chunk with one choice: this delta, and the finish reason when it ends the answer. */
  delta(delta: Delta, finish?: string | null): ChatCompletionChunk;
  /** `chunks`, with the role chunk before them when they are the stream's first output. */
  announce(chunks: ChatCompletionChunk[]): ChatCompletionChunk[];
  /** The usage chunk that ends the stream, when the client asked for it and there is usage to show. */
  closingUsage(usage: NormalizedUsage | null): ChatCompletionChunk[];
}

export function translatedChunks(ctx: ResponseContext): TranslatedChunks {
  let announced = false;
  const delta = (delta: Delta, finish: string | null = null): ChatCompletionChunk => ({
    id: ctx.completionId,
    object: "chat.completion.chunk",
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...(ctx.includeUsage ? { usage: null } : {}),
  });
  return {
    delta,
    announce(chunks) {
      if (chunks.length > 0 && !announced) {
        announced = true;
        chunks.unshift(delta({ role: "assistant", content: "", refusal: null }));
      }
      return chunks;
    },
    closingUsage: (usage) => (ctx.includeUsage && usage ? [usageChunk(ctx, usage)] : []),
  };
}
