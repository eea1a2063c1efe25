/**
 * One caller's recursive response_format schema on `npm start`'s echo vendor is that caller's answer,
 * not the deployment failing: the echo vendor answered it with a 500 (a stack overflow), which the
 * breaker counts, so five such requests opened the echo deployment's circuit and everyone's plain chat
 * on it was refused for the cool-down. A schema it cannot instantiate at all is the caller's 400, never
 * a 500 the breaker counts.
 */
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

const linked = {
  $defs: { node: { type: ["object", "null"], properties: { v: { type: "string" }, next: { $ref: "#/$defs/node" } }, required: ["v", "next"], additionalProperties: false } },
  type: "object",
  properties: { head: { $ref: "#/$defs/node" } },
  required: ["head"],
  additionalProperties: false,
};

const chat = (extra: object) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }], ...extra }),
  });

test("five linked-list schemas are answered, and a plain chat after them still reaches the echo deployment", async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await chat({ response_format: { type: "json_schema", json_schema: { name: "list", strict: true, schema: linked } } });
    statuses.push(res.status);
    await res.text();
  }
  expect(statuses).toEqual([200, 200, 200, 200, 200]);
  const plain = await chat({});
  expect(plain.status).toBe(200);
  expect(((await plain.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe("Echo: hi");
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
