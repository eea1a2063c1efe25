/**
 * A key's RPM changed by a new snapshot, through the whole proxy (official SDK, echo vendor): what the
 * key used before the change still counts as that many requests under the new limit, so raising the
 * limit frees the difference at once and lowering it refuses until the use fits the new one.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hashSecret } from "../../shared/ids.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
let version = 1;
const messages = [{ role: "user" as const, content: "hi" }];
const rpm = (key: string, value: number) => (s: Snapshot) => void (s.keys[hashSecret(key)]!.limits = { rpm: value });

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1, (s) => { rpm(fx.keys.main, 2)(s); rpm(fx.keys.limited, 100)(s); }));
  proxy = await fx.startProxy();
});
afterAll(() => fx?.cleanup());

async function publish(change: (s: Snapshot) => void) {
  const v = ++version;
  await fx.publish(fx.snapshot(v, change));
  await waitFor(() => proxy.snapshotVersion() === v, `version ${v}`);
}
const call = (key: string) => fx.client(proxy, key).chat.completions.create({ model: "chat", messages }).withResponse().then((r) => r.response, (e) => e);

test("RPM raised from 2 to 100 after 2 requests: the next request is admitted and 97 remain", async () => {
  expect((await call(fx.keys.main)).status).toBe(200);
  expect((await call(fx.keys.main)).status).toBe(200);
  expect((await call(fx.keys.main)).status).toBe(429);
  await publish((s) => { rpm(fx.keys.main, 100)(s); rpm(fx.keys.limited, 100)(s); });
  const next = await call(fx.keys.main);
  expect(next.status).toBe(200);
  expect(Number(next.headers.get("x-ratelimit-remaining-requests"))).toBeGreaterThanOrEqual(96);
});

test("RPM lowered from 100 to 2 after 20 requests: the next request is refused", async () => {
  for (let i = 0; i < 20; i++) expect((await call(fx.keys.limited)).status).toBe(200);
  await publish((s) => { rpm(fx.keys.main, 100)(s); rpm(fx.keys.limited, 2)(s); });
  expect((await call(fx.keys.limited)).status).toBe(429);
});
