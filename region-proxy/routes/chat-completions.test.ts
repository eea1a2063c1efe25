import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { promptTokens } from "../../infra/echo-vendor/echo-reply.ts";
import { costMicros } from "../../shared/money/cost.ts";
import type { RunningProxy } from "../main.ts";
import { PRICE, REGION, startProxyOnBaseSnapshot, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  ({ fx, proxy } = await startProxyOnBaseSnapshot());
});
afterAll(() => fx?.cleanup());

const messages = [
  { role: "system" as const, content: "You are terse." },
  { role: "user" as const, content: "tell me about the weather" },
];
const expectedPrompt = promptTokens(messages);
const eventFor = (requestId: string) => fx.origin.events().find((e) => e.requestId === requestId);

describe("chat completions through the openai SDK", () => {
  test("non-stream: content, usage, gateway headers, usage event with cost", async () => {
    const client = fx.client(proxy);
    const { data, response } = await client.chat.completions
      .create({ model: "chat", messages }, { headers: { "x-feature-id": "weather:daily", "x-request-id": "client-req.1" } })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: tell me about the weather");
    expect(data.usage).toMatchObject({ prompt_tokens: expectedPrompt, completion_tokens: 6, total_tokens: expectedPrompt + 6 });
    expect(response.headers.get("x-request-id")).toBe("client-req.1");
    expect(response.headers.get("x-gateway-model")).toBe("echo-1");
    expect(response.headers.get("x-gateway-provider")).toBe("openai");
    expect(response.headers.get("x-gateway-region")).toBe(REGION);
    expect(response.headers.get("x-gateway-attempts")).toBe("1");
    expect(response.headers.get("x-gateway-fallback")).toBe("false");

    await waitFor(() => eventFor("client-req.1") !== undefined, "usage event delivered");
    const event = eventFor("client-req.1")!;
    expect(event).toMatchObject({ tenantId: "ten_a", keyId: "key_main", featureId: "weather:daily", alias: "chat", provider: "openai", vendorModel: "echo-1", deploymentId: "dep_echo1", stream: false, status: "ok", errorCode: null, attempts: 1, snapshotVersion: 1, region: REGION });
    expect(event.usage.inputTokens).toBe(expectedPrompt);
    expect(event.usage.outputTokens).toBe(6);
    expect(event.costMicros).toBe(costMicros(event.usage, PRICE));
    expect(event.costMicros).toBe(expectedPrompt + 12);
  });

  test("a generated request id when the client sends none or an unsafe one", async () => {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": "bad id with spaces" },
      body: JSON.stringify({ model: "chat", messages }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-z]{16}$/);
  });

  test("stream without include_usage: text arrives, no usage chunk, no usage fields", async () => {
    const client = fx.client(proxy);
    const { data: stream, response } = await client.chat.completions.create({ model: "chat", messages, stream: true }).withResponse();
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: tell me about the weather");
    expect(chunks.every((c) => c.choices.length === 1 && !("usage" in c))).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(response.headers.get("x-gateway-model")).toBe("echo-1");
    const requestId = response.headers.get("x-request-id")!;
    await waitFor(() => eventFor(requestId) !== undefined, "stream usage event");
    // The proxy asked the vendor for usage anyway, so the stream is priced exactly like the non-stream call.
    expect(eventFor(requestId)!.usage.inputTokens).toBe(expectedPrompt);
    expect(eventFor(requestId)!.usage.outputTokens).toBe(6);
    expect(eventFor(requestId)!.costMicros).toBe(expectedPrompt + 12);
    expect(eventFor(requestId)!.stream).toBe(true);
  });

  test("a paced stream reaches the client chunk by chunk, each word as the vendor sends it", async () => {
    // `slow` waits 50 ms before every vendor chunk: each word must be in the client's hands before
    // the vendor sends the next, not held back until the stream ends (a proxy that buffered its
    // frames until the vendor finished fails here: every word arrives at once).
    const started = performance.now();
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model: "slow", messages: [{ role: "user", content: "one two three four five" }], stream: true }),
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    // Each read's time with everything received up to it, so a frame split across two reads counts
    // from the read that completed it.
    const arrivals: { at: number; text: string }[] = [];
    let received = "";
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      received += decoder.decode(read.value, { stream: true });
      arrivals.push({ at: performance.now() - started, text: received });
    }
    const words = ["Echo:", " one", " two", " three", " four", " five"];
    const arrivedAt = words.map((word) => arrivals.find((a) => a.text.includes(`"content":${JSON.stringify(word)}`))?.at ?? NaN);
    expect(arrivedAt.every(Number.isFinite)).toBe(true);
    // Paced 50 ms apart by the vendor: ~200 ms from the first word to the last, in separate reads (a
    // stall of the machine may merge two neighbours, never all of them).
    expect(arrivedAt.at(-1)! - arrivedAt[1]!).toBeGreaterThan(100);
    expect(new Set(arrivedAt).size).toBeGreaterThanOrEqual(4);
    expect(received.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  test("stream with include_usage: the usage chunk is kept, with choices: []", async () => {
    const client = fx.client(proxy);
    const stream = await client.chat.completions.create({ model: "chat", messages, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: expectedPrompt, completion_tokens: 6 });
  });

  test("/v1/models lists the aliases the key may use", async () => {
    const all = await fx.client(proxy).models.list();
    expect(all.data.map((m) => m.id)).toContain("fallback");
    const limited = await fx.client(proxy, fx.keys.limited).models.list();
    expect(limited.data.map((m) => m.id)).toEqual(["chat"]);
  });

  test("/v1/models/{id} (the SDK's models.retrieve) answers the model a key may use, else 404 model_not_found", async () => {
    const chat = await fx.client(proxy, fx.keys.limited).models.retrieve("chat");
    expect(chat).toMatchObject({ id: "chat", object: "model", owned_by: "gateway" });
    const hidden = await fx.client(proxy, fx.keys.limited).models.retrieve("fallback").catch((e) => e);
    expect(hidden.status).toBe(404);
    expect(hidden.code).toBe("model_not_found");
    expect((await fx.client(proxy).models.retrieve("fallback")).id).toBe("fallback");
    const unknown = await fx.client(proxy).models.retrieve("no-such-model").catch((e) => e);
    expect(unknown.status).toBe(404);
    const anonymous = await fetch(`${proxy.url}/v1/models/chat`);
    expect(anonymous.status).toBe(401);
    await anonymous.text();
    const head = await fetch(`${proxy.url}/v1/models/chat`, { method: "HEAD", headers: { authorization: `Bearer ${fx.keys.main}` } });
    expect(head.status).toBe(200);
    // An id with a slash is one path segment too few or many: no such model, not another route.
    const nested = await fetch(`${proxy.url}/v1/models/chat/extra`, { headers: { authorization: `Bearer ${fx.keys.main}` } });
    expect(nested.status).toBe(404);
    await nested.text();
  });

  test("/health and /ready", async () => {
    const health = await (await fetch(`${proxy.url}/health`)).json();
    expect(health).toMatchObject({ status: "ok", region: REGION, proxyId: proxy.proxyId, snapshotVersion: 1, controlPlaneReachable: true });
    expect(typeof health.snapshotAgeSeconds).toBe("number");
    expect((await fetch(`${proxy.url}/ready`)).status).toBe(200);
  });
});
