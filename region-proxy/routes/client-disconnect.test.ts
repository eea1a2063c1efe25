import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

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
