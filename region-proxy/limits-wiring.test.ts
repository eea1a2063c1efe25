import { afterAll, beforeAll, expect, test } from "bun:test";
import { hashSecret } from "../shared/ids.ts";
import type { RunningProxy } from "./main.ts";
import { createProxyFixture, type ProxyFixture } from "./testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1, (s) => void (s.keys[hashSecret(fx.keys.limited)]!.limits = { rpm: 2 })));
  proxy = await fx.startProxy(); // no limits injected: the proxy runs the real enforcer itself
});
afterAll(() => fx.cleanup());

test("by default the proxy enforces the snapshot's limits: RPM refusals are OpenAI 429s, the vendor is not called", async () => {
  const client = fx.client(proxy, fx.keys.limited);
  const messages = [{ role: "user" as const, content: "hi" }];
  const { response } = await client.chat.completions.create({ model: "chat", messages }).withResponse();
  expect(response.headers.get("x-ratelimit-limit-requests")).toBe("2");
  await client.chat.completions.create({ model: "chat", messages });
  const calls = fx.vendor.calls("echo-1");
  const error = await client.chat.completions.create({ model: "chat", messages }).catch((e) => e);
  expect(error.status).toBe(429);
  expect(error.code).toBe("rate_limit_exceeded");
  expect(Number(error.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(Number(error.headers.get("retry-after-ms"))).toBeGreaterThan(0);
  expect(fx.vendor.calls("echo-1")).toBe(calls);
  // Another key of the same tenant has no key-level limit.
  expect((await fx.client(proxy).chat.completions.create({ model: "chat", messages })).choices.length).toBe(1);
});
