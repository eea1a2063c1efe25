/**
 * A committed stream whose vendor pauses mid-answer but keeps its connection alive (Anthropic's `ping`
 * events, OpenRouter's `: OPENROUTER PROCESSING` comments, here every 500 ms for 3 s) keeps the
 * client's alive too: the client gets `: keep-alive` comments, which the official SDK ignores, so the
 * idle timeouts of whatever sits between (nginx, a load balancer, the client's own read timeout) see
 * what they would see straight from the vendor. Read through the official SDK, with a fetch that dates
 * each read of the body; the SDK's stream helper builds the same completion as from the same answer
 * sent without a pause.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { head, httpChunk, startRawVendors } from "../testing/raw-vendor.ts";

const oa = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
const oaUsage = `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } })}\n\n`;
const an = (e: { type: string } & Record<string, unknown>) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
const anStart = an({ type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "claude", stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }) +
  an({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
const anText = (text: string) => an({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
const anEnd = an({ type: "content_block_stop", index: 0 }) + an({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3 } }) + an({ type: "message_stop" });

/** Each answer as its first piece, the vendor's keep-alive, and its last piece. */
const answers = {
  anthropic: { first: anStart + anText("Alpha "), ping: an({ type: "ping" }), last: anText("Bravo") + anEnd },
  openai: { first: oa({ role: "assistant", content: "Alpha " }), ping: ": OPENROUTER PROCESSING\n\n", last: oa({ content: "Bravo" }, "stop") + oaUsage + "data: [DONE]\n\n" },
} as const;
const PING_EVERY_MS = 500;
const PINGS = 5;

/** Writes the first piece, then (paused) a keep-alive every PING_EVERY_MS, then the last piece 500 ms after the last keep-alive. */
function vendor(provider: keyof typeof answers, paused: boolean) {
  const a = answers[provider];
  return {
    provider,
    timeouts: { firstByteMs: 5_000, totalMs: 20_000 },
    script: async (s: Parameters<Parameters<typeof startRawVendors>[0][string]["script"]>[0]) => {
      s.write(head("200 OK", { "content-type": "text/event-stream", "transfer-encoding": "chunked" }));
      s.write(httpChunk(a.first));
      s.flush();
      if (paused) {
        for (let i = 0; i < PINGS; i++) {
          await Bun.sleep(PING_EVERY_MS);
          s.write(httpChunk(a.ping));
          s.flush();
        }
        await Bun.sleep(PING_EVERY_MS);
      }
      s.write(httpChunk(a.last) + "0\r\n\r\n");
      s.end();
    },
  };
}

let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  t = await startRawVendors(
    { "dep_an-pings": vendor("anthropic", true), "dep_an-straight": vendor("anthropic", false), "dep_oa-comments": vendor("openai", true), "dep_oa-straight": vendor("openai", false) },
    { "an-pings": ["dep_an-pings"], "an-straight": ["dep_an-straight"], "oa-comments": ["dep_oa-comments"], "oa-straight": ["dep_oa-straight"] },
  );
});
afterAll(() => t?.stop());

/** An SDK client whose fetch dates each read of a response body (performance.now()) and keeps its text. */
function timedClient() {
  const reads: { at: number; text: string }[] = [];
  const decoder = new TextDecoder();
  const timedFetch = async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init);
    if (!response.body) return response;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          reads.push({ at: performance.now(), text: decoder.decode(chunk, { stream: true }) });
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  return { client: t.fx.client(t.proxy, undefined, { fetch: timedFetch as unknown as typeof fetch }), reads };
}

const longestGap = (reads: { at: number }[]) => {
  let longest = 0;
  for (let i = 1; i < reads.length; i++) longest = Math.max(longest, reads[i]!.at - reads[i - 1]!.at);
  return longest;
};

for (const [model, straight] of [["an-pings", "an-straight"], ["oa-comments", "oa-straight"]] as const) {
  test(`${model}: while the vendor pauses mid-answer with a keep-alive every ${PING_EVERY_MS} ms, the client reads something at least once a second`, async () => {
    const { client, reads } = timedClient();
    const stream = await client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }], stream: true });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toBe("Alpha Bravo");
    expect(reads.some((r) => r.text.includes(": keep-alive\n\n"))).toBe(true);
    // The vendor's longest silence is 500 ms; without keep-alives the client's would be its whole 3 s pause.
    expect(longestGap(reads)).toBeLessThan(1_000);
  }, 20_000);

  test(`${model}: the SDK's stream helper builds the same completion with keep-alive comments in between as without`, async () => {
    const final = async (m: string) => {
      const { client, reads } = timedClient();
      const completion = await client.chat.completions.stream({ model: m, messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true } }).finalChatCompletion();
      return { completion, comments: reads.filter((r) => r.text.includes(": keep-alive")).length };
    };
    const paused = await final(model);
    const plain = await final(straight);
    expect(paused.comments).toBeGreaterThan(0);
    expect(plain.comments).toBe(0);
    const shape = (c: OpenAI.Chat.Completions.ChatCompletion) => ({ object: c.object, choices: c.choices, usage: c.usage });
    expect(shape(paused.completion)).toEqual(shape(plain.completion));
    expect(paused.completion.choices[0]!.message.content).toBe("Alpha Bravo");
  }, 20_000);
}
