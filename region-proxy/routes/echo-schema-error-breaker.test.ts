/** A response_format schema the echo vendor (npm start's provider) cannot instantiate is the caller's 400, never a 500 that the proxy counts as the deployment failing: five of them must not open the echo deployment's circuit for everyone. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
  proxy = await fx.startProxy();
});
afterAll(() => fx?.cleanup());

const chat = (extra: object) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }], ...extra }),
  });

test("five schemas with a malformed $ref escape (a URIError in the echo vendor, once a 500) are the caller's 400s, and a plain chat after them still reaches the echo deployment", async () => {
  const schema = { $defs: { a: { type: "string" } }, $ref: "#/$defs/%E0%A4%A" };
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await chat({ response_format: { type: "json_schema", json_schema: { name: "s", schema } } });
    statuses.push(res.status);
    await res.text();
  }
  const plain = await chat({});
  expect([statuses, plain.status]).toEqual([[400, 400, 400, 400, 400], 200]);
});
