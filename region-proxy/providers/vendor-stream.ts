/**
 * A vendor stream after the executor committed to it: reads and translates events on demand, keeps
 * the usage the vendor reported, and knows how to explain its own failure (timeout, garbage, reset).
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { VendorProtocolError, type ChatCompletionChunk, type SseEvent, type StreamTranslator } from "./types.ts";

/** A committed stream: the first chunks are in hand, the rest is read on demand. */
export interface VendorStream {
  initialChunks: ChatCompletionChunk[];
  /** The next chunks; `done` once the vendor finished cleanly (usage is then final). Throws on failure. */
  next(): Promise<{ chunks: ChatCompletionChunk[]; done: boolean }>;
  usage(): NormalizedUsage | null;
  /** Why a read failed: the gateway error to show in the error frame. */
  failure(error: unknown): GatewayError;
  /** Stops the vendor call (client gone or stream over) and clears timers. */
  close(): void;
}

/** Reads vendor events until they produce at least one chunk (or the stream ends cleanly). */
export async function readUntilChunks(events: AsyncGenerator<SseEvent>, translator: StreamTranslator): Promise<{ chunks: ChatCompletionChunk[]; done: boolean; usage: NormalizedUsage | null }> {
  while (true) {
    const step = await events.next();
    if (step.done) {
      const end = translator.finish();
      return { chunks: end.chunks, done: true, usage: end.usage };
    }
    const chunks = translator.onEvent(step.value);
    if (chunks.length > 0) return { chunks, done: false, usage: null };
  }
}

export function committedStream(
  events: AsyncGenerator<SseEvent>,
  translator: StreamTranslator,
  first: { chunks: ChatCompletionChunk[]; done: boolean; usage: NormalizedUsage | null },
  controller: AbortController,
  cleanup: () => void,
  timedOut: () => boolean,
): VendorStream {
  let usage = first.usage;
  let done = first.done;
  if (done) cleanup();
  return {
    initialChunks: first.chunks,
    async next() {
      if (done) return { chunks: [], done: true };
      const step = await readUntilChunks(events, translator);
      if (step.done) {
        done = true;
        usage = step.usage;
        cleanup();
      }
      return { chunks: step.chunks, done: step.done };
    },
    usage: () => usage,
    failure(error) {
      if (timedOut()) return { kind: "upstream_timeout", message: "The model provider stopped answering in time." };
      if (error instanceof VendorProtocolError || error instanceof SyntaxError) return { kind: "upstream_invalid_response", message: `The model provider's stream broke: ${(error as Error).message}` };
      return { kind: "upstream_error", message: "The model provider's stream failed." };
    },
    close() {
      cleanup();
      if (!done) controller.abort();
      void events.return(undefined).catch(() => {});
    },
  };
}
