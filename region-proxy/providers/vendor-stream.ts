/**
 * A vendor stream after the executor committed to it: reads and translates events on demand, keeps
 * the usage the vendor reported, knows how to explain its own failure (timeout, garbage, reset), and
 * tells the walk how it ended (StreamCall.ending), which is its deployment's verdict.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { Redactor } from "../credentials/redact-credential.ts";
import { VendorProtocolError, type ChatCompletionChunk, type SseEvent, type StreamTranslator } from "./types.ts";
import { callChars, estimatedCount, reasoningChars, textLength } from "./usage-counts.ts";
import type { CallEnding } from "./call-ending.ts";
import { afterFirstChunk, VendorStreamError } from "./vendor-stream-error.ts";

/**
 * A committed stream: the first chunks are in hand, the rest is read on demand. Its methods need their
 * object (committedStream's is a CommittedStream, its steps on the prototype): call `stream.close()`,
 * never hand on `stream.close` itself.
 */
export interface VendorStream {
  initialChunks: ChatCompletionChunk[];
  /**
   * The next chunks; `done` once the vendor finished cleanly (usage is then final). Throws on failure.
   * No chunks and not `done`: the vendor showed life but sent no chunk (a ping, an SSE comment, part of
   * a long event) while none went out for KEEP_ALIVE_MS: the client is owed a keep-alive.
   */
  next(): Promise<{ chunks: ChatCompletionChunk[]; done: boolean }>;
  usage(): NormalizedUsage | null;
  /**
   * The usage known so far, for a stream that ends early (client gone): the vendor's usage when it was
   * sent, or its final count when that came before the cut (StreamTranslator.finalUsage), as is;
   * otherwise the input, cached and cache-write counts the vendor reported mid-stream
   * (StreamTranslator.partialUsage), or the caller's prompt estimate when it reported none; and as
   * output the larger of what the vendor reported and one token per 4 characters of text and tool
   * arguments already streamed (the vendor's tokenizer is not at hand), visible reasoning counted as
   * reasoning tokens of that output (usageSoFar).
   */
  usageSoFar(promptTokens: number): NormalizedUsage;
  /**
   * Why a read failed: the gateway error to show in the error frame. A vendor's own error event says
   * what it would have before the first chunk (vendor-stream-error.ts); upstream_invalid_response is
   * for protocol garbage only.
   */
  failure(error: unknown): GatewayError;
  /** The trail's reason for a failed read when it is not the error's code (a vendor error event's `status_529`), else null. */
  failureReason(error: unknown): string | null;
  /** Stops the vendor call (client gone or stream over) and clears timers. */
  close(): void;
  /** Whether the gateway's own deadline (first byte or total) ended the vendor call. */
  timedOut(): boolean;
}

/**
 * The vendor's events, a read at a time (sse-reader.ts's readSseBatches): the events of the latest
 * read not yet translated, whether the stream's first chunk has gone out, and a failure met in a read
 * after some of its events had become chunks (thrown by the next step, so those chunks still reach the
 * client before the error frame, as when events were taken one at a time).
 */
export interface VendorEvents {
  batches: AsyncGenerator<SseEvent[]>;
  pending: SseEvent[];
  nextPending: number;
  firstChunkOut: boolean;
  /** When (Date.now()) the latest chunks or keep-alive were handed out, once the first chunk is out. */
  outAt: number;
  deferred: { error: unknown } | null;
  /**
   * The stream ended at the vendor's end marker (StreamTranslator.ended), not at EOF: its body may
   * still be open (a vendor that keeps the connection, or sends more), so closing it aborts the call.
   */
  atMarker: boolean;
  /**
   * The stream ended because its body stayed silent after an answer that read complete
   * (StreamTranslator.endsIfQuietForMs): the body is still open and the vendor already had its time,
   * so closing it aborts the call at once.
   */
  wentQuiet: boolean;
}

/** `batches` tells VendorCall.heard of each read itself (readSseBatches), comment keep-alives included. */
export function vendorEvents(batches: AsyncGenerator<SseEvent[]>): VendorEvents {
  return { batches, pending: [], nextPending: 0, firstChunkOut: false, outAt: 0, deferred: null, atMarker: false, wentQuiet: false };
}

/**
 * After the first chunk, the least time since chunks or a keep-alive step were last handed out for a
 * read that makes no chunk to become a keep-alive step. A vendor that shows life every P ms reaches
 * the client at least every P + KEEP_ALIVE_MS, with at most one keep-alive per KEEP_ALIVE_MS (a few
 * bytes, a wake only when the vendor itself sent something); a long event split over reads that come
 * close together makes none. Under 500 ms, so a vendor that pings every 500 ms is passed on ping for ping.
 */
export const KEEP_ALIVE_MS = 400;

/** The step of a committed stream whose vendor showed life without a chunk (VendorStream.next). */
const KEEP_ALIVE_STEP: { chunks: ChatCompletionChunk[]; done: false; usage: null } = Object.freeze({ chunks: Object.freeze([]) as unknown as ChatCompletionChunk[], done: false, usage: null });

/**
 * Reads vendor events until they produce at least one chunk (or the stream ends cleanly). The
 * stream's first chunk is returned as soon as it exists (time to first byte); after it, every event
 * left in a read is translated before returning: they arrived together, and the client gets them in
 * one write instead of one promise round trip and one flush per event. The stream ends at the
 * vendor's end marker: what follows it is never translated, and the socket is not waited on. A
 * translator with a soft end (StreamTranslator.endsIfQuietForMs) ends it when the body stays silent
 * that long after an answer that read complete; what comes later is never translated either. Once the
 * first chunk is out, a read that makes no chunk (an event that becomes none, such as Anthropic's
 * `ping`, or a read that completes no event: an SSE comment, part of an event) returns KEEP_ALIVE_STEP
 * when nothing was handed out for KEEP_ALIVE_MS; before it, nothing changes (the stream may still
 * fall back, and its headers wait for its first chunk).
 */
export async function readUntilChunks(events: VendorEvents, translator: StreamTranslator): Promise<{ chunks: ChatCompletionChunk[]; done: boolean; usage: NormalizedUsage | null }> {
  while (true) {
    if (events.deferred) {
      const { error } = events.deferred;
      events.deferred = null;
      throw error;
    }
    if (events.nextPending >= events.pending.length) {
      const quietMs = translator.endsIfQuietForMs?.() ?? null;
      const step = quietMs === null ? await events.batches.next() : await nextUnlessQuiet(events.batches, quietMs);
      if (step === QUIET) events.wentQuiet = true;
      if (step === QUIET || step.done) {
        const end = translator.finish();
        return { chunks: end.chunks, done: true, usage: end.usage };
      }
      events.pending = step.value;
      events.nextPending = 0;
      if (step.value.length === 0) {
        // A read that completed no event (sse-reader.ts NO_EVENTS): no chunk, only a sign of life.
        if (events.firstChunkOut && keepAliveDue(events)) return KEEP_ALIVE_STEP;
        continue;
      }
    }
    const chunks: ChatCompletionChunk[] = [];
    while (events.nextPending < events.pending.length) {
      const event = events.pending[events.nextPending++]!;
      try {
        for (const chunk of translator.onEvent(event)) chunks.push(chunk);
      } catch (error) {
        if (chunks.length === 0) throw error;
        events.deferred = { error };
        break;
      }
      if (translator.ended?.()) {
        events.atMarker = true;
        events.pending = [];
        events.nextPending = 0;
        const end = translator.finish();
        for (const chunk of end.chunks) chunks.push(chunk);
        if (chunks.length > 0) events.firstChunkOut = true;
        return { chunks, done: true, usage: end.usage };
      }
      if (!events.firstChunkOut && chunks.length > 0) break;
    }
    if (chunks.length > 0) {
      events.firstChunkOut = true;
      events.outAt = Date.now();
      return { chunks, done: false, usage: null };
    }
    if (events.firstChunkOut && keepAliveDue(events)) return KEEP_ALIVE_STEP;
  }
}

/** Whether KEEP_ALIVE_MS passed since chunks or a keep-alive were last handed out; if so, dates this one. */
function keepAliveDue(events: VendorEvents): boolean {
  const now = Date.now();
  if (now - events.outAt < KEEP_ALIVE_MS) return false;
  events.outAt = now;
  return true;
}

const QUIET = Symbol("quiet");

/**
 * The body's next events, or QUIET if none come within `ms`: a read that completes no event (an SSE
 * comment, part of an event) does not restart the wait, as no event came. Its timer is cleared
 * whichever comes first; a failed read (the client gone, the call's deadline) fails the wait at once.
 * After QUIET the read is left pending: it fails or ends when close() aborts the call, and nothing it
 * brings is read.
 */
async function nextUnlessQuiet(batches: AsyncGenerator<SseEvent[]>, ms: number): Promise<IteratorResult<SseEvent[]> | typeof QUIET> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const quiet = new Promise<typeof QUIET>((resolve) => {
    timer = setTimeout(() => resolve(QUIET), ms);
  });
  try {
    while (true) {
      const next = batches.next();
      const step = await Promise.race([next, quiet]);
      if (step === QUIET) next.catch(() => {});
      if (step === QUIET || step.done || step.value.length > 0) return step;
    }
  } finally {
    clearTimeout(timer);
  }
}

/** For a client that asked for usage (stream_options.include_usage): how to show an estimated one. */
export interface UsageEstimateChunk {
  /** The prompt's estimated tokens, as the request's settlement counts them. */
  promptTokens(): number;
  /** `sent`: the created and model of the chunks already sent (null when none carried a choice). */
  chunk(usage: NormalizedUsage, sent: StreamIdentity | null): ChatCompletionChunk;
}

/** The created and model every chunk of a stream shares (OpenAI's chunks all carry the same). */
export type StreamIdentity = Pick<ChatCompletionChunk, "created" | "model">;

/**
 * The created and model of the first of these chunks with a choice, null when none has one. A chunk
 * without a choice can carry others: Azure's prompt_filter_results chunk has created 0 and model "".
 */
function identityOf(chunks: ChatCompletionChunk[]): StreamIdentity | null {
  for (const chunk of chunks) if (Array.isArray(chunk.choices) && chunk.choices.length > 0) return { created: chunk.created, model: chunk.model };
  return null;
}

/**
 * The vendor call behind a committed stream (execute.ts CommittedCall: its methods on the prototype,
 * so a timer is armed with the call as its argument, as drainThenClose does, not with `call.abort`).
 */
export interface StreamCall {
  abort(): void;
  /** Clears the call's timers and listeners. */
  cleanup(): void;
  timedOut(): boolean;
  /** Cuts the deployment's credential out of a failure that quotes the vendor. */
  redact: Redactor;
  /**
   * Told how the stream ended (clean end, failed read, or closed before either): the deployment's
   * verdict for its breaker. A failed read says when it began, so a cut by the time limit can tell a
   * vendor still sending from one gone silent (with the call's heardAt: a client that stopped reading
   * leaves the vendor blocked, not silent).
   */
  ending?: CallEnding;
  /**
   * Whether the call's deadline cut a vendor still sending, for a read that began at `waitingSince`
   * (call-ending.ts cutWhileSending): its failure then names the time limit, not a vendor that
   * stopped answering. A client that reads slowly keeps the vendor's answer waiting: not silent.
   */
  cutWhileSending?(waitingSince: number): boolean;
}

export function committedStream(
  events: VendorEvents,
  translator: StreamTranslator,
  first: { chunks: ChatCompletionChunk[]; done: boolean; usage: NormalizedUsage | null },
  call: StreamCall,
  estimate?: UsageEstimateChunk,
): VendorStream {
  return new CommittedStream(events, translator, first, call, estimate);
}

/** One object per stream: its state in fields, its steps on the prototype (no closures per stream). */
class CommittedStream implements VendorStream {
  readonly initialChunks: ChatCompletionChunk[];
  /** One word per stream: told once, then forgotten. */
  private ending: CallEnding | undefined;
  private reported: NormalizedUsage | null;
  private done: boolean;
  /** Characters streamed: of the answer, and of its visible reasoning (usageSoFar's estimates). */
  private readonly streamed = { text: 0, reasoning: 0 };
  /** What the chunks sent carry, for an estimated usage chunk: taken once, from the first with a choice. */
  private sent: StreamIdentity | null;
  /** The deadline cut the stream while the vendor was still sending (StreamCall.cutWhileSending). */
  private cutWhileSending = false;

  constructor(
    private readonly events: VendorEvents,
    private readonly translator: StreamTranslator,
    first: { chunks: ChatCompletionChunk[]; done: boolean; usage: NormalizedUsage | null },
    private readonly call: StreamCall,
    private readonly estimate: UsageEstimateChunk | undefined,
  ) {
    this.ending = call.ending;
    this.reported = first.usage;
    this.done = first.done;
    countChars(first.chunks, this.streamed);
    this.sent = identityOf(first.chunks);
    if (this.done) {
      call.cleanup();
      this.end("done");
    }
    this.initialChunks = this.closing(first.chunks);
  }

  timedOut(): boolean {
    return this.call.timedOut();
  }

  async next(): Promise<{ chunks: ChatCompletionChunk[]; done: boolean }> {
    if (this.done) return { chunks: [], done: true };
    // With the vendor's last bytes (VendorCall.heard), how long it had been silent if this read fails
    // (CallEnding.failed): a client that paused before asking kept the vendor waiting, not silent.
    const waitingSince = Date.now();
    let step: Awaited<ReturnType<typeof readUntilChunks>>;
    try {
      step = await readUntilChunks(this.events, this.translator);
    } catch (error) {
      this.cutWhileSending = this.call.cutWhileSending?.(waitingSince) ?? false;
      this.end("failed", waitingSince, error);
      throw error;
    }
    countChars(step.chunks, this.streamed);
    if (this.sent === null) this.sent = identityOf(step.chunks);
    if (step.done) {
      this.done = true;
      this.reported = step.usage;
      this.call.cleanup();
      this.end("done");
    }
    return { chunks: this.closing(step.chunks), done: step.done };
  }

  usage(): NormalizedUsage | null {
    return this.reported;
  }

  usageSoFar(promptTokens: number): NormalizedUsage {
    return this.reported ?? this.estimatedSoFar(promptTokens);
  }

  failure(error: unknown): GatewayError {
    if (this.timedOut()) return { kind: "upstream_timeout", message: this.cutWhileSending ? STILL_STREAMING : "The model provider stopped answering in time." };
    if (error instanceof VendorStreamError) return this.call.redact(afterFirstChunk(error).error);
    if (error instanceof VendorProtocolError || error instanceof SyntaxError) return this.call.redact({ kind: "upstream_invalid_response", message: `The model provider's stream broke: ${(error as Error).message}` });
    return { kind: "upstream_error", message: "The model provider's stream failed." };
  }

  failureReason(error: unknown): string | null {
    return !this.timedOut() && error instanceof VendorStreamError ? afterFirstChunk(error).reason : null;
  }

  close(): void {
    this.call.cleanup();
    // Closed before its end or its failure was read: the client left (or stopped reading).
    this.end("abandoned");
    if (this.events.atMarker) return drainThenClose(this.events.batches, this.call);
    if (!this.done || this.events.wentQuiet) this.call.abort();
    void this.events.batches.return(undefined).catch(() => {});
  }

  private end(word: keyof CallEnding, waitingSince = 0, error?: unknown): void {
    const told = this.ending;
    this.ending = undefined;
    told?.[word](waitingSince, error);
  }

  /** The vendor's final count, when it came before the cut, is charged as is (StreamTranslator.finalUsage). */
  private estimatedSoFar(promptTokens: number): NormalizedUsage {
    const { translator, streamed } = this;
    return translator.finalUsage?.() ?? usageSoFar(translator.partialUsage?.() ?? null, promptTokens, estimatedCount(streamed.text / 4), estimatedCount(streamed.reasoning / 4));
  }

  /**
   * A client that asked for usage gets it at the end even when the vendor sent none it could bill:
   * the estimate the request is charged (usageSoFar), as an unstreamed answer shows it.
   */
  private closing(chunks: ChatCompletionChunk[]): ChatCompletionChunk[] {
    return this.done && this.reported === null && this.estimate ? [...chunks, this.estimate.chunk(this.estimatedSoFar(this.estimate.promptTokens()), this.sent)] : chunks;
  }
}

/**
 * A stream cut by the deadline while the vendor was still sending, or had sent all and the client was
 * still reading it: no vendor went silent, so none is blamed. Still upstream_timeout (the gateway's
 * deadline ended the request).
 */
const STILL_STREAMING =
  "The answer could not be delivered within the gateway's time limit for this request: it was still streaming when the time ran out (a long answer, or a client reading it slowly).";

/** How long a body may stay open after the vendor's end marker before its call is aborted. */
export const AFTER_MARKER_DRAIN_MS = 1_000;

/**
 * After the end marker a body nearly always ends at once (its last chunk is already in flight):
 * reading it to its end, and ignoring what it holds, keeps the vendor connection for reuse, where an
 * abort right at the marker would close it and cost every next stream a new connection (a TLS
 * handshake to a real vendor). A vendor that holds the body open is cut off after
 * AFTER_MARKER_DRAIN_MS; the client's answer and the usage are final already.
 */
function drainThenClose(batches: AsyncGenerator<SseEvent[]>, call: StreamCall): void {
  const timer = setTimeout(abortCall, AFTER_MARKER_DRAIN_MS, call);
  void (async () => {
    try {
      while (!(await batches.next()).done) {
        // ignored: nothing after the marker is translated or forwarded
      }
    } catch {
      // aborted, or the vendor broke the body: nothing is owed to anyone
    } finally {
      clearTimeout(timer);
    }
  })();
}

function abortCall(call: StreamCall): void {
  call.abort();
}

/**
 * For a stream cut short before the vendor's final count (StreamTranslator.finalUsage, charged as is
 * when it came), or an answer whose usage lacks its output count (Gemini's response.ts): the vendor's
 * mid-stream counts completed with estimates: its input side when it reported one, else
 * the prompt estimate; its reasoning, or the visible reasoning streamed (`streamedReasoning`: an
 * OpenAI-format model's reasoning_content, in tokens), whichever is larger (a vendor's count of
 * reasoning it showed covers what it showed: never both); its output, or the streamed answer's
 * estimate plus that reasoning (hidden thoughts never reach the client, so the characters streamed
 * cannot count them), whichever is larger. Reasoning is of the output, as vendors report it
 * (NormalizedUsage): priced at the reasoning rate, never charged twice.
 */
export function usageSoFar(reported: NormalizedUsage | null, promptEstimate: number, streamedEstimate: number, streamedReasoning = 0): NormalizedUsage {
  const input = reported && reported.inputTokens > 0 ? reported : { inputTokens: estimatedCount(promptEstimate), cachedInputTokens: 0, cacheWriteTokens: 0 };
  const reasoning = Math.max(reported?.reasoningTokens ?? 0, streamedReasoning);
  return {
    inputTokens: input.inputTokens,
    cachedInputTokens: input.cachedInputTokens,
    cacheWriteTokens: input.cacheWriteTokens,
    outputTokens: Math.max(reported?.outputTokens ?? 0, estimatedCount(reasoning + streamedEstimate)),
    reasoningTokens: reasoning,
  };
}

/**
 * Adds to `into` the characters of generated text (content, refusal, tool and legacy function calls:
 * callChars) and of visible reasoning (reasoningChars) in some chunks. Only strings count: a translator
 * may pass the vendor's fields through as they came (a content of 5 or {"length":1e300}), and a choice
 * without a delta (a finish chunk) has no text.
 */
function countChars(chunks: ChatCompletionChunk[], into: { text: number; reasoning: number }): void {
  for (const chunk of chunks) {
    if (!Array.isArray(chunk.choices)) continue;
    for (const choice of chunk.choices as unknown[]) {
      const delta = (choice as { delta?: unknown } | null)?.delta as Record<string, unknown> | null | undefined;
      if (typeof delta !== "object" || delta === null) continue;
      into.text += textLength(delta.content) + textLength(delta.refusal);
      into.reasoning += reasoningChars(delta);
      into.text += callChars(delta);
    }
  }
}
