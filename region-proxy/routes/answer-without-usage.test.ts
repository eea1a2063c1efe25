/**
 * An OpenAI-compatible server that answers without `usage` (OpenAI always sends it; others may not):
 * the request is charged the gateway's prompt estimate and the answer's length, never nothing.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const body = (await request.json()) as { stream?: boolean };
    if (!body.stream) return Response.json({ id: "x", object: "chat.completion", created: 1, model: "compat-1", choices: [{ index: 0, message: { role: "assistant", content: "An answer of forty characters, exactly.." }, finish_reason: "stop" }] });
    // A stream that ends without the usage chunk, though the gateway asked for it.
    const chunk = (delta: object, finish: string | null) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "compat-1", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    return new Response(chunk({ role: "assistant", content: "An answer of forty " }, null) + chunk({ content: "characters, exactly.." }, null) + chunk({}, "stop") + "data: [DONE]\n\n", { headers: { "content-type": "text/event-stream" } });
  },
});

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_compat = { id: "dep_compat", provider: "openai", baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model: "compat-1", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.aliases.compat = { name: "compat", chain: ["dep_compat"] };
      s.pricing["openai:compat-1"] = PRICE;
    }),
  );
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

test("an answer without usage is charged the prompt estimate and its length", async () => {
  const { response } = await fx.client(proxy).chat.completions.create({ model: "compat", messages: [{ role: "user", content: "Tell me something in forty characters." }] }).withResponse();
  const id = response.headers.get("x-request-id");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === id)!;
  expect(event.status).toBe("ok");
  expect(event.usage.inputTokens).toBeGreaterThan(5);
  expect(event.usage.outputTokens).toBe(10);
  expect(event.costMicros).toBeGreaterThan(0);
});

test("a stream without usage, for a client that asked for it: its last chunk shows the estimate the request is charged", async () => {
  const { data: stream, response } = await fx.client(proxy).chat.completions.create({ model: "compat", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Tell me something in forty characters." }] }).withResponse();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const last = chunks.at(-1)!;
  expect(last.choices).toEqual([]);
  const id = response.headers.get("x-request-id");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === id)!;
  expect(event.usage.outputTokens).toBe(10);
  expect(last.usage).toMatchObject({ prompt_tokens: event.usage.inputTokens, completion_tokens: 10, total_tokens: event.usage.inputTokens + 10 });
});
