/**
 * When a committed stream's vendor shows life without a chunk, VendorStream.next hands out a keep-alive
 * step (no chunks, not done; stream-response.ts writes `: keep-alive`), at most once per KEEP_ALIVE_MS
 * since the last chunks or keep-alive: for SSE comments and for events that become no chunk, not for a
 * long event whose parts come close together, and never before the first chunk.
 */
import { expect, test } from "bun:test";
import { createAnthropicStreamTranslator } from "./anthropic/stream.ts";
import { createOpenAIStreamTranslator } from "./openai/stream.ts";
import { readSseBatches } from "./sse-reader.ts";
import type { ResponseContext, StreamTranslator } from "./types.ts";
import { committedStream, KEEP_ALIVE_MS, readUntilChunks, vendorEvents } from "./vendor-stream.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-gw", created: 1, model: "m", includeUsage: false };
const oa = (content: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
const an = (e: { type: string } & Record<string, unknown>) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/** A body that delivers each part as one read, `after` ms after the previous one. */
function timedReads(parts: { after: number; text: string }[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const part of parts) {
        await Bun.sleep(part.after);
        controller.enqueue(encoder.encode(part.text));
      }
      controller.close();
    },
  });
}

/** Reads a stream as the client would: each step as "keep-alive" or its chunks' content joined. */
async function steps(translator: StreamTranslator, parts: { after: number; text: string }[]): Promise<string[]> {
  const events = vendorEvents(readSseBatches(timedReads(parts)));
  const first = await readUntilChunks(events, translator);
  const vendor = committedStream(events, translator, first, { abort() {}, cleanup() {}, timedOut: () => false, redact: (e) => e });
  const text = (chunks: typeof first.chunks) => chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
  const seen = [text(vendor.initialChunks)];
  for (let done = first.done; !done; ) {
    const step = await vendor.next();
    if (step.chunks.length === 0 && !step.done) seen.push("keep-alive");
    else if (step.chunks.length > 0) seen.push(text(step.chunks));
    done = step.done;
  }
  vendor.close();
  return seen;
}

const GAP = KEEP_ALIVE_MS + 100;

test("SSE comments after the first chunk: one keep-alive each when they come more than KEEP_ALIVE_MS apart; none before the first chunk", async () => {
  const comment = ": OPENROUTER PROCESSING\n\n";
  expect(
    await steps(createOpenAIStreamTranslator(ctx), [
      { after: 0, text: comment },
      { after: GAP, text: comment },
      { after: GAP, text: oa("Alpha") },
      { after: GAP, text: comment },
      { after: GAP, text: comment },
      { after: 10, text: comment },
      { after: 10, text: oa("Bravo", "stop") + "data: [DONE]\n\n" },
    ]),
  ).toEqual(["Alpha", "keep-alive", "keep-alive", "Bravo"]);
}, 10_000);

test("Anthropic pings after the first chunk are keep-alives; a long event in parts that come close together is none", async () => {
  const long = an({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "x".repeat(3000) } });
  const start = an({ type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "m", stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } });
  const parts = [
    { after: 0, text: start + an({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }) + an({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Alpha" } }) },
    // 30 reads of one event, 10 ms apart: 300 ms < KEEP_ALIVE_MS since the first chunk.
    ...Array.from({ length: 30 }, (_, i) => ({ after: 10, text: long.slice(i * 100, (i + 1) * 100) })),
    { after: 10, text: long.slice(3000) },
    { after: GAP, text: an({ type: "ping" }) },
    { after: GAP, text: an({ type: "ping" }) },
    { after: GAP, text: an({ type: "content_block_stop", index: 0 }) + an({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3 } }) + an({ type: "message_stop" }) },
  ];
  const seen = await steps(createAnthropicStreamTranslator(ctx), parts);
  expect(seen.map((s) => (s.length > 20 ? `x*${s.length}` : s))).toEqual(["Alpha", "x*3000", "keep-alive", "keep-alive", ""]);
}, 10_000);
