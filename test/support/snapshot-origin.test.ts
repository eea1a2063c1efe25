/**
 * The proxy tests' stand-in control plane refuses the usage events the real one refuses
 * (control-plane/usage/ingest-usage.ts), dead-lettered and acknowledged as it does: one of another
 * region than the token's, one for a key the region's snapshot does not carry or under another tenant
 * than its key's, an id repeated in the batch with other content. Before, it stored any event that
 * parsed, so a proxy writing the wrong region passed every proxy-level outbox test.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { USAGE_PATH } from "../../shared/internal-api.ts";
import type { UsageBatchAck, UsageEvent } from "../../shared/usage/usage-event.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../region-proxy/testing/proxy-fixture.ts";
import { createOriginState, startSnapshotOrigin } from "./snapshot-origin.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  // key_gone is carried by version 1 only: usage spent on it before version 2 may still arrive.
  await fx.publish(fx.snapshot(1, (s) => void (s.keys.hash_gone = { id: "key_gone", tenantId: "ten_a", name: "gone", status: "active", expiresAt: null, allowedAliases: null })));
  await fx.publish(fx.snapshot(2));
});
afterAll(() => fx?.cleanup());

const event = (eventId: string, over: Partial<UsageEvent> = {}): UsageEvent => ({
  eventId,
  time: "2026-03-01T10:00:00.000Z",
  requestId: `req_${eventId}`,
  region: REGION,
  snapshotVersion: 1,
  tenantId: "ten_a",
  keyId: "key_main",
  featureId: null,
  alias: "chat",
  endpoint: "chat.completions",
  provider: "openai",
  deploymentId: "dep_echo1",
  vendorModel: "echo-1",
  stream: false,
  usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
  costMicros: 20,
  latencyMs: 3,
  status: "ok",
  errorCode: null,
  attempts: 1,
  ...over,
});

async function post(events: unknown[]): Promise<UsageBatchAck> {
  const response = await fetch(`${fx.origin.url}${USAGE_PATH}`, { method: "POST", headers: { authorization: `Bearer ${fx.regionToken}`, "content-type": "application/json" }, body: JSON.stringify({ events }) });
  expect(response.status).toBe(200);
  return (await response.json()) as UsageBatchAck;
}

test("events the control plane refuses are dead-lettered and acknowledged, not stored; the rest are stored", async () => {
  const ack = await post([
    event("evt_ok"),
    event("evt_other_region", { region: "us" }),
    event("evt_key_not_carried", { keyId: "key_elsewhere" }),
    event("evt_other_tenant", { tenantId: "ten_off" }),
    event("evt_ok", { costMicros: 999 }),
    event("evt_ok"),
    event("evt_key_gone", { keyId: "key_gone" }),
    { eventId: "evt_malformed" },
  ]);
  expect(ack.accepted).toBe(2);
  expect(ack.duplicates).toBe(1);
  expect(ack.rejected).toEqual([
    { eventId: "evt_other_region", reason: "region us does not match the token's region eu" },
    { eventId: "evt_ok", reason: "eventId repeated in the batch with different content" },
    { eventId: "evt_malformed", reason: expect.any(String) },
    { eventId: "evt_key_not_carried", reason: "key key_elsewhere is not carried by region eu's snapshot" },
    { eventId: "evt_other_tenant", reason: "tenant ten_off is not the tenant of key key_main" },
  ]);
  expect(ack.ackedEventIds.sort()).toEqual(["evt_key_gone", "evt_key_not_carried", "evt_malformed", "evt_ok", "evt_other_region", "evt_other_tenant"]);
  expect(fx.origin.events().map((e) => e.eventId).sort()).toEqual(["evt_key_gone", "evt_ok"]);
  expect(fx.origin.events().find((e) => e.eventId === "evt_ok")!.costMicros).toBe(20);
  expect(fx.origin.state.deadLetters.map((letter) => (letter.payload as { eventId: string }).eventId)).toEqual(["evt_other_region", "evt_ok", "evt_malformed", "evt_key_not_carried", "evt_other_tenant"]);
});

test("an origin brought back with the state of the one before knows the keys published to it", async () => {
  const state = createOriginState();
  const first = await startSnapshotOrigin({ regionTokens: { [fx.regionToken]: REGION }, state });
  first.publish(REGION, await fx.publish(fx.snapshot(3)), 3);
  await first.stop();
  const back = await startSnapshotOrigin({ regionTokens: { [fx.regionToken]: REGION }, state });
  try {
    const response = await fetch(`${back.url}${USAGE_PATH}`, { method: "POST", headers: { authorization: `Bearer ${fx.regionToken}` }, body: JSON.stringify({ events: [event("evt_after_restart")] }) });
    expect(((await response.json()) as UsageBatchAck).accepted).toBe(1);
    expect(back.events().map((e) => e.eventId)).toEqual(["evt_after_restart"]);
  } finally {
    await back.stop();
  }
});
