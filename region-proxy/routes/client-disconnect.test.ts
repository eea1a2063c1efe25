import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import { createProxyFixture, PRICE, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

// A client that leaves mid-stream aborts the vendor call at once; the usage event is still written,
// client_closed, with the usage known so far (the echo vendor sends usage only at the end, so the
// output is counted from the text already streamed), and the next request succeeds.
let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1, (s) => void (s.pricing["openai:slow"] = PRICE)));
  proxy = await fx.startProxy();
});
afterAll(() => fx.cleanup());

test("a disconnect mid-stream aborts the vendor, records client_closed with partial usage, the next request works", async () => {
  const abortsBefore = fx.vendor.aborts("slow");
  const controller = new AbortController();
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}` },
    body: JSON.stringify({ model: "slow", messages: [{ role: "user", content: "one two three four five six seven eight nine ten" }], stream: true }),
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  let seen = "";
  while (!seen.includes('"content":"Echo:')) seen += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  await waitFor(() => fx.vendor.aborts("slow") > abortsBefore, "the vendor saw the abort");
  const id = res.headers.get("x-request-id");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === id)!;
  expect(event.status).toBe("client_closed");
  expect(event.usage.outputTokens).toBeGreaterThan(0);
  expect(event.usage.outputTokens).toBeLessThan(10);
  expect(event.usage.inputTokens).toBeGreaterThan(0);
  expect(event.costMicros).toBeGreaterThan(0);

  const next = await fx.client(proxy).chat.completions.create({ model: "chat", messages: [{ role: "user", content: "still there?" }] });
  expect(next.choices[0]!.message.content).toBe("Echo: still there?");
});

test("a disconnect while waiting for an unstreamed answer aborts the vendor call too", async () => {
  const vendor = await startFakeOpenAI({ apiKey: "sk-openai-fake" });
  try {
    await fx.publish(
      fx.snapshot(2, (s) => {
        s.deployments.dep_openai_hang = { id: "dep_openai_hang", provider: "openai", baseUrl: `${vendor.url}/v1`, model: "hang", region: REGION, credentialRef: "env:OPENAI_KEY" };
        s.aliases.openaihang = { name: "openaihang", chain: ["dep_openai_hang"] };
      }),
    );
    const waiting = await fx.startProxy({ dataDir: fx.freshDataDir(), firstByteTimeoutMs: 30_000, credentials: { OPENAI_KEY: "sk-openai-fake" } });
    const controller = new AbortController();
    const pending = fetch(`${waiting.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": "req-nonstream-leaver" },
      body: JSON.stringify({ model: "openaihang", messages: [{ role: "user", content: "anyone?" }] }),
      signal: controller.signal,
    }).catch((e) => e);
    await waitFor(() => vendor.calls() === 1, "the vendor was called");
    controller.abort();
    await pending;
    await waitFor(() => vendor.aborts() === 1, "the vendor saw the abort");
    await waitFor(() => fx.origin.events().some((e) => e.requestId === "req-nonstream-leaver"), "usage event");
    expect(fx.origin.events().find((e) => e.requestId === "req-nonstream-leaver")).toMatchObject({ status: "client_closed", stream: false, attempts: 1 });
  } finally {
    await vendor.stop();
  }
});
