/**
 * A constant-time OpenAI-format vendor for the benchmark: the same small answer, no work, no delay,
 * so every microsecond measured beyond it belongs to what sits in front of it.
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

const chunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1_700_000_000, model: "bench-model", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1_700_000_000, model: "bench-model", choices: [], usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 } })}\n\n`;
const streamBody = chunk({ role: "assistant", content: "" }, null) + chunk({ content: "o" }, null) + chunk({ content: "k" }, null) + chunk({}, "stop");

const server = Bun.serve({
  port: Number(process.env.PORT ?? 0),
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const body = (await request.json()) as { stream?: boolean; stream_options?: { include_usage?: boolean } };
    if (!body.stream) return new Response(completion, { headers: { "content-type": "application/json" } });
    const text = streamBody + (body.stream_options?.include_usage ? usageChunk : "") + "data: [DONE]\n\n";
    return new Response(text, { headers: { "content-type": "text/event-stream" } });
  },
  error: () => new Response("error", { status: 500 }),
});
console.log(`READY ${server.port}`);

export {};
