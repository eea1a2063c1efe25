/**
 * The OpenAI chunks of one streamed request whose vendor does not stream OpenAI's (Anthropic, Gemini):
 * every chunk carries the client's completion id, created time and model, one choice (index 0 unless
 * the vendor answers several, as Gemini does for n > 1), and `usage: null` when the client asked for the
 * usage chunk (include_usage), as OpenAI's chunks do. Each choice's role chunk goes out once, just before
 * that choice's first chunk with output, never earlier: until a chunk is out the executor may still fall
 * back to another deployment (and the SDKs refuse a choice that never had a role).
 *
 * @example const out = translatedChunks(ctx);
 *          out.announce([out.delta({ content: "Hi" })]) // [the role chunk, the "Hi" chunk]
 */
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { usageChunk } from "./to-openai-usage.ts";
import type { ChatCompletionChunk, ResponseContext } from "./types.ts";

type Delta = ChatCompletionChunk["choices"][number]["delta"];

export interface TranslatedChunks {
  /** A chunk with one choice (`index`, 0 by default): this delta, and the finish reason when it ends that choice. */
  delta(delta: Delta, finish?: string | null, index?: number): ChatCompletionChunk;
  /** `chunks`, with a choice's role chunk before its first one when it is that choice's first output. */
  announce(chunks: ChatCompletionChunk[]): ChatCompletionChunk[];
  /** The usage chunk that ends the stream, when the client asked for it and there is usage to show. */
  closingUsage(usage: NormalizedUsage | null): ChatCompletionChunk[];
}

export function translatedChunks(ctx: ResponseContext): TranslatedChunks {
  const announced = new Set<number>();
  const delta = (delta: Delta, finish: string | null = null, index = 0): ChatCompletionChunk => ({
    id: ctx.completionId,
    object: "chat.completion.chunk",
    created: ctx.created,
    model: ctx.model,
    choices: [{ index, delta, finish_reason: finish, logprobs: null }],
    ...(ctx.includeUsage ? { usage: null } : {}),
  });
  return {
    delta,
    announce(chunks) {
      const out: ChatCompletionChunk[] = [];
      for (const chunk of chunks) {
        for (const { index } of chunk.choices) {
          if (announced.has(index)) continue;
          announced.add(index);
          out.push(delta({ role: "assistant", content: "", refusal: null }, null, index));
        }
        out.push(chunk);
      }
      return out;
    },
    closingUsage: (usage) => (ctx.includeUsage && usage ? [usageChunk(ctx, usage)] : []),
  };
}
