/**
 * Azure stream translator: OpenAI's (../openai/stream.ts) behind a filter that drops Azure's
 * annotation-only chunks (prompt-filter preamble, asynchronous filter results) and strips
 * content-filter annotations from the rest; an error event is classified as Azure's HTTP errors are.
 */
import { createOpenAIStreamTranslator } from "../openai/stream.ts";
import type { ResponseContext, SseEvent, StreamTranslator } from "../types.ts";
import { isAnnotationOnlyChunk, stripContentFilter } from "./content-filter.ts";
import { classifyAzureError } from "./errors.ts";

export function createAzureStreamTranslator(ctx: ResponseContext): StreamTranslator {
  const inner = createOpenAIStreamTranslator(ctx, (status, headers, body) => classifyAzureError(status, headers, body));
  return {
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
      return inner.onEvent({ ...event, data: JSON.stringify(stripContentFilter(chunk)) });
    },
    finish: () => inner.finish(),
    ended: () => inner.ended!(),
  };
}
