/**
 * A constant-time OpenAI-format vendor for the benchmark: the same small answer, no work, so every
 * microsecond measured beyond it belongs to what sits in front of it.
 *
 * A full answer is sent at once. A stream sends its first event at once and the rest
 * BENCH_STREAM_GAP_MS later (default 5 ms; 0 sends the whole stream at once), as a real vendor's
 * tokens come over time: a proxy that holds back more than the first event then shows that gap in its
 * time to first byte, where with the whole stream in one write it would pass unseen.
 * Prints `READY <port>` on stdout.
 */
const completion = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "bench-model",
  choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop", logprobs: null }],
  usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 },
});

/** Milliseconds between a stream's first event and the rest (whole milliseconds: Bun's timers count no finer). */
const STREAM_GAP_MS = streamGapMs(process.env.BENCH_STREAM_GAP_MS);

function streamGapMs(value: string | undefined): number {
  if (value === undefined || value === "") return 5;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`BENCH_STREAM_GAP_MS is a whole number of milliseconds >= 0, not ${JSON.stringify(value)}`);
  return ms;
}

const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1_700_000_000, model: "bench-model", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1_700_000_000, model: "bench-model", choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } })}\n\n`;
const firstEvent = chunk({ role: "assistant", content: "" }, null);
const restEvents = chunk({ content: "o" }, null) + chunk({ content: "k" }, null) + chunk({}, "stop");
const encoder = new TextEncoder();
const firstBytes = encoder.encode(firstEvent);
const restBytes = { plain: encoder.encode(restEvents + "data: [DONE]\n\n"), withUsage: encoder.encode(restEvents + usageChunk + "data: [DONE]\n\n") };

/** The stream's first event now, the rest STREAM_GAP_MS later. */
function gappedStream(rest: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(firstBytes);
      setTimeout(() => {
        try {
          controller.enqueue(rest);
          controller.close();
        } catch {
          // The client went away meanwhile.
        }
      }, STREAM_GAP_MS);
    },
  });
}

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const body = (await request.json()) as { stream?: boolean; stream_options?: { include_usage?: boolean } };
    if (!body.stream) return new Response(completion, { headers: { "content-type": "application/json" } });
    const withUsage = body.stream_options?.include_usage === true;
    if (STREAM_GAP_MS === 0) return new Response(firstEvent + restEvents + (withUsage ? usageChunk : "") + "data: [DONE]\n\n", { headers: { "content-type": "text/event-stream" } });
    return new Response(gappedStream(withUsage ? restBytes.withUsage : restBytes.plain), { headers: { "content-type": "text/event-stream" } });
  },
  error: () => new Response("error", { status: 500 }),
});
console.log(`READY ${server.port}`);
export {};
