/**
 * A client that reads a stream more slowly than the vendor sends it, past the deployment's total
 * time: the vendor had sent its whole answer, the gateway's writer was waiting on the client when the
 * deadline passed. The error frame says the answer could not be delivered in time, not that the model
 * provider stopped answering (which blames the vendor for the client's pace); its code stays
 * upstream_timeout (stalled-reader-timeout.test.ts: the gateway's deadline ended the request). A
 * vendor that went silent mid-stream is still the one that stopped answering.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/fakes/openai.ts";

const TOTAL_MS = 1_000;
/**
 * The long answer's deployment: the fake builds its ~200k frames before its first byte, and the proxy
 * reads a 1 MB prompt, hundreds of ms each on a busy machine. Neither is what the test is about, so
 * its first-byte time is out of the way and its total leaves room for them.
 */
const LONG_ANSWER_TIMEOUTS = { firstByteMs: 10_000, totalMs: 3_000 };
let fx: ProxyFixture;
let fake: FakeOpenAI;
let proxy: RunningProxy;
let silent: ReturnType<typeof Bun.serve>;
beforeAll(async () => {
  fx = await createProxyFixture();
  fake = await startFakeOpenAI({ apiKey: "vk" });
  // One chunk, then nothing (the body stays open).
  const first = `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "mute", choices: [{ index: 0, delta: { role: "assistant", content: "Hel" }, finish_reason: null }] })}\n\n`;
  silent = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    fetch: () => new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode(first)) }), { headers: { "content-type": "text/event-stream" } }),
  });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_gpt = { id: "dep_gpt", provider: "openai", baseUrl: `${fake.url}/v1`, model: "gpt-4o-mini", region: REGION, credentialRef: "env:VK", timeouts: LONG_ANSWER_TIMEOUTS };
      s.aliases.gpt = { name: "gpt", chain: ["dep_gpt"] };
      s.deployments.dep_mute = { id: "dep_mute", provider: "openai", baseUrl: `http://127.0.0.1:${silent.port}/v1`, model: "mute", region: REGION, credentialRef: "env:VK" };
      s.aliases.mute = { name: "mute", chain: ["dep_mute"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { VK: "vk" }, totalTimeoutMs: TOTAL_MS, firstByteTimeoutMs: 500 });
});
afterAll(async () => {
  await fx?.cleanup();
  await fake?.stop();
  silent?.stop(true);
});

const streamOf = (model: string, content: string) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content }] }),
  });
const lastFrame = (text: string) => JSON.parse(text.trimEnd().split("\n\n").at(-1)!.slice("data: ".length));

test("a client still reading a finished vendor answer at the deadline is told the answer could not be delivered in time", async () => {
  // ~200k chunks: far more than the sockets between proxy and client hold, so the writer waits on the client.
  const res = await streamOf("gpt", "word ".repeat(200_000));
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value, { stream: true });
  // The client stops reading until the deadline has ended the vendor call (it is the slow side: the
  // gateway reads the vendor only as fast as the client takes it, so the fake is still sending when
  // its call is dropped), then reads the rest.
  await waitFor(() => fake.aborts() === 1, "the deadline to end the vendor call", 3 * LONG_ANSWER_TIMEOUTS.totalMs);
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  expect(fake.calls()).toBe(1);
  const last = lastFrame(text);
  expect(last.error.code).toBe("upstream_timeout");
  expect(last.error.message).not.toContain("stopped answering");
  expect(last.error.message).toContain("could not be delivered within the gateway's time limit");
  const requestId = res.headers.get("x-request-id");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), "usage event");
  expect(fx.origin.events().find((e) => e.requestId === requestId)).toMatchObject({ status: "error", errorCode: "upstream_timeout" });
}, 20_000);

test("a vendor silent past its first-byte time when the deadline comes is still the one that stopped answering", async () => {
  const res = await streamOf("mute", "hi");
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toContain('"content":"Hel"');
  expect(lastFrame(text).error).toMatchObject({ code: "upstream_timeout", message: "The model provider stopped answering in time." });
});
