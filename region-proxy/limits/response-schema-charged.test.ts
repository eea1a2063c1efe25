import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

// A client that leaves before the answer is charged the prompt estimate, and the vendor bills a
// response_format JSON schema as prompt tokens: the estimate must count it, or a big schema and a
// disconnect, again and again, spends past a budget for the price of a "hi".
const properties: Record<string, unknown> = {};
for (let i = 0; i < 200; i++) properties[`field_${i}`] = { type: "string", description: `Field number ${i}: a carefully written description of what the model must put in this field, and why.` };
const response_format = { type: "json_schema", json_schema: { name: "big", strict: true, schema: { type: "object", properties, required: Object.keys(properties), additionalProperties: false } } };
const schemaTokens = Math.ceil(JSON.stringify(response_format.json_schema).length / 4); // ~6k

let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1, (s) => void (s.pricing["openai:hang"] = PRICE)));
  proxy = await fx.startProxy({ firstByteTimeoutMs: 30_000 });
});
afterAll(() => fx.cleanup());

test("a client that leaves before the answer is charged the response_format schema's prompt tokens too", async () => {
  const callsBefore = fx.vendor.calls("hang");
  const controller = new AbortController();
  const pending = fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": "req-schema-leaver" },
    body: JSON.stringify({ model: "hang", messages: [{ role: "user", content: "hi" }], response_format }),
    signal: controller.signal,
  }).catch((e) => e);
  await waitFor(() => fx.vendor.calls("hang") > callsBefore, "the vendor was called");
  controller.abort();
  await pending;
  await waitFor(() => fx.origin.events().some((e) => e.requestId === "req-schema-leaver"), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === "req-schema-leaver")!;
  expect(event.status).toBe("client_closed");
  expect(event.usage.inputTokens).toBeGreaterThan(schemaTokens / 2);
  expect(event.costMicros).toBeGreaterThanOrEqual(event.usage.inputTokens * PRICE.input / 1_000_000);
});
