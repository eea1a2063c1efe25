/**
 * A committed stream whose vendor sends nothing the client can see for longer than Bun.serve's
 * idleTimeout, while within its deployment's own timeouts.totalMs, must still reach its end.
 * main.ts sets idleTimeout from the proxy's default total only (min(255, ceil(totalMs/1000)+5) s, here
 * 6 s), though a deployment may run far longer (README: `timeouts: { totalMs: 300000 }`, up to 3600000).
 * Two vendor shapes: OpenAI's role chunk then a silent think; Anthropic's text then only `ping` events
 * (the vendor is alive, but a ping becomes no chunk, so no byte reaches the client).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
let vendor: ReturnType<typeof Bun.serve>;
const PAUSE_MS = 7_500; // > the 6 s idle timeout the proxy default of 1 s gives, < the deployment's 30 s total

const oa = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "think-oa", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const an = (type: string, data: object = {}) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const enc = new TextEncoder();

beforeAll(async () => {
  vendor = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      await req.text();
      const anthropic = new URL(req.url).pathname === "/v1/messages";
      const body = new ReadableStream({
        async start(c) {
          if (anthropic) {
            c.enqueue(enc.encode(an("message_start", { message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "think-an", stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } } }) +
              an("content_block_start", { index: 0, content_block: { type: "text", text: "" } }) + an("content_block_delta", { index: 0, delta: { type: "text_delta", text: "before the pause " } })));
            for (let waited = 0; waited < PAUSE_MS; waited += 1_500) {
              await Bun.sleep(1_500);
              c.enqueue(enc.encode(an("ping")));
            }
            c.enqueue(enc.encode(an("content_block_delta", { index: 0, delta: { type: "text_delta", text: "after the pause" } }) + an("content_block_stop", { index: 0 }) +
              an("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 6 } }) + an("message_stop")));
          } else {
            c.enqueue(enc.encode(oa({ role: "assistant", content: "" })));
            await Bun.sleep(PAUSE_MS);
            c.enqueue(enc.encode(oa({ content: "before the pause after the pause" }) + oa({}, "stop") +
              `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "think-oa", choices: [], usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 } })}\n\ndata: [DONE]\n\n`));
          }
          c.close();
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    },
  });
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const [alias, provider, baseUrl] of [["think-oa", "openai", `http://127.0.0.1:${vendor.port}/v1`], ["think-an", "anthropic", `http://127.0.0.1:${vendor.port}`]] as const) {
        s.deployments[`dep_${alias}`] = { id: `dep_${alias}`, provider, baseUrl, model: alias, region: REGION, credentialRef: "env:ECHO_KEY", timeouts: { totalMs: 30_000 } };
        s.aliases[alias] = { name: alias, chain: [`dep_${alias}`] };
      }
    }),
  );
  proxy = await fx.startProxy({ totalTimeoutMs: 1_000 });
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

async function streamed(model: string) {
  const stream = await fx.client(proxy, undefined, { timeout: 60_000 }).chat.completions.create({ model, messages: [{ role: "user", content: "hi" }], stream: true });
  let text = "";
  let outcome = "ended";
  const started = Date.now();
  try {
    for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
  } catch (error) {
    outcome = `${(error as Error).constructor.name}: ${(error as Error).message.slice(0, 80)} after ${Date.now() - started} ms`;
  }
  return { outcome, text };
}

test("OpenAI: a stream silent (thinking) past the server's idle timeout, within its deployment's totalMs, reaches its end", async () => {
  expect(await streamed("think-oa")).toEqual({ outcome: "ended", text: "before the pause after the pause" });
}, 60_000);

test("Anthropic: a stream of only pings past the server's idle timeout, within its deployment's totalMs, reaches its end", async () => {
  expect(await streamed("think-an")).toEqual({ outcome: "ended", text: "before the pause after the pause" });
}, 60_000);
