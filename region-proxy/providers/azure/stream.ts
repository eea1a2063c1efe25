/**
 * Azure stream translator: OpenAI's (../openai/stream.ts) behind a filter that drops Azure's
 * annotation-only chunks (prompt-filter preamble, asynchronous filter results), turns the
 * asynchronous filter's block into the stream's finish chunk (finish_reason content_filter) and
 * strips content-filter annotations from the rest; an error event is classified as Azure's HTTP
 * errors are.
 */
import { createOpenAIStreamTranslator } from "../openai/stream.ts";
import type { ResponseContext, SseEvent, StreamTranslator } from "../types.ts";
import { isAnnotationOnlyChunk, type StreamIdentity, stripContentFilter, withAsyncFilterFinish } from "./content-filter.ts";
import { classifyAzureError } from "./errors.ts";

export function createAzureStreamTranslator(ctx: ResponseContext): StreamTranslator {
  const inner = createOpenAIStreamTranslator(ctx, (status, headers, body) => classifyAzureError(status, headers, body));
  // The model and created time of Azure's own chunks, which the client sees; the client's until one comes.
  const identity: StreamIdentity = { model: ctx.model, created: ctx.created };
  // Everything but onEvent is the OpenAI translator's own (its methods are closures), so a method
  // added there (finalUsage, say) is Azure's too without being forwarded here by hand.
  return {
    ...inner,
    onEvent(event: SseEvent) {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        // [DONE] or garbage: the OpenAI translator decides
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return inner.onEvent(event);
      const chunk = parsed as Record<string, unknown>;
      if (isAnnotationOnlyChunk(chunk)) return [];
      if (typeof chunk.model === "string" && chunk.model !== "" && typeof chunk.created === "number" && chunk.created > 0) {
        identity.model = chunk.model;
        identity.created = chunk.created;
      }
      return inner.onEvent({ ...event, data: JSON.stringify(stripContentFilter(withAsyncFilterFinish(chunk, identity))) });
    },
  };
}
