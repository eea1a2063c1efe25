/**
 * OpenAI stream translator. The executor always asks the vendor for the usage chunk (`choices: []`,
 * `usage: {...}`); it is forwarded only when the client asked for it, and the `usage: null` OpenAI puts
 * on every other chunk in that mode is removed too, so the client sees exactly what it asked for.
 * A stream that ends without `data: [DONE]` was cut off: finish() throws.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { VendorProtocolError, type ChatCompletionChunk, type ResponseContext, type SseEvent, type StreamTranslator } from "../types.ts";
import { convertOpenAIUsage } from "./usage.ts";

export function createOpenAIStreamTranslator(ctx: ResponseContext): StreamTranslator {
  let usage: NormalizedUsage | null = null;
  let done = false;
  return {
    onEvent(event: SseEvent): ChatCompletionChunk[] {
      if (event.data === "[DONE]") {
        done = true;
        return [];
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        throw new VendorProtocolError("vendor stream sent a data line that is not JSON");
      }
      if (typeof parsed !== "object" || parsed === null) throw new VendorProtocolError("vendor stream chunk is not an object");
      const chunk = parsed as ChatCompletionChunk & { error?: { message?: string } };
      if (chunk.error) throw new VendorProtocolError(`vendor stream failed: ${chunk.error.message ?? "unknown error"}`);
      if (!Array.isArray(chunk.choices)) throw new VendorProtocolError("vendor stream chunk has no choices array");
      if (chunk.usage) usage = convertOpenAIUsage(chunk.usage);
      if (ctx.includeUsage) return [{ ...chunk, id: ctx.completionId }];
      if (chunk.choices.length === 0) return []; // the usage chunk the client did not ask for
      // Without the usage field (asked for on the client's behalf, every chunk carries `usage: null`);
      // a rest copy rather than `delete`, which would turn every chunk into a slow dictionary object.
      const { usage: _notAsked, ...rest } = chunk;
      return [{ ...rest, id: ctx.completionId }];
    },
    finish() {
      if (!done) throw new VendorProtocolError("vendor stream ended without [DONE]");
      return { chunks: [], usage };
    },
  };
}
