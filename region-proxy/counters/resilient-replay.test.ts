/**
 * The replay of queued writes on recovery, with a Redis client whose outage and latency the test
 * controls (a thin wrapper over the test Redis): what was queued reaches Redis once, in order, and
 * a queued settle adds no spend to a level repaired from a ledger that may hold its event.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type Redis from "ioredis";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import { startLeaseClient } from "../leases/lease-client.ts";
import { UNIT_TEST_WAIT_MS, waitFor } from "../testing/wait-for.ts";
import { createResilientCounters } from "./resilient-counters.ts";

const DAY = "day:2026-11-27";
let testRedis: TestRedis;
beforeAll(async () => {
  testRedis = await createTestRedis();
});
afterAll(async () => {
  await testRedis.cleanup();
});

/** A client that fails every call while `down`, and holds each script call `delayMs` first. */
function controlledClient(real: Redis) {
  const control = { down: false, delayMs: 0 };
  const client: Record<string, unknown> = {
    defineCommand(name: string, definition: { lua: string; numberOfKeys?: number }) {
      real.defineCommand(name, definition);
      client[name] = async (...args: unknown[]) => {
        if (control.down) throw new Error("connection is closed");
        if (control.delayMs > 0) await Bun.sleep(control.delayMs);
        return (real as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);
      };
    },
    ping: async () => {
      if (control.down) throw new Error("connection is closed");
      return real.ping();
    },
  };
  return { client: client as unknown as Redis, control };
}

test("a write queued while the queue is full and the replay is running does not make another queued write be lost", async () => {
  const { client, control } = controlledClient(testRedis.client);
  const counters = createResilientCounters({ redis: client, prefix: testRedis.prefix, pingIntervalMs: 20, timeoutMs: 1000, maxPending: 2 });
  try {
    const level = [{ scope: "team:replay", period: DAY, capMicros: 1_000_000 }];
    const reserve = async () => {
      const result = await counters.budgets.reserve(level, 100);
      if (!result.ok) throw new Error("refused while Redis was up");
      return result.reservation;
    };
    const [a, b, c] = [await reserve(), await reserve(), await reserve()];

    control.down = true;
    await counters.budgets.settle(a, 1); // queued
    await counters.budgets.settle(b, 10); // queued: the queue is full
    expect(counters.degraded()).toBe(true);

    // Redis returns, slowly: the replay of a's settle is in flight when c's settle is queued.
    control.delayMs = 200;
    control.down = false;
    await Bun.sleep(100);
    await counters.budgets.settle(c, 100);
    const deadline = Date.now() + 5000;
    while (counters.degraded() && Date.now() < deadline) await Bun.sleep(20);
    expect(counters.degraded()).toBe(false);
    control.delayMs = 0;

    // a's settle was already on its way; b's and c's were the two queued: all three reach Redis.
    expect(await counters.budgets.status("team:replay", DAY)).toEqual({ spentMicros: 111, reservedMicros: 0 });
  } finally {
    counters.close();
  }
});

test("a settle replayed after another replica repaired the counter from the ledger is not counted twice; one queued after that repair is", async () => {
  const { client, control } = controlledClient(testRedis.client);
  const a = createResilientCounters({ redis: testRedis.client, prefix: testRedis.prefix, timeoutMs: 1000 });
  const b = createResilientCounters({ redis: client, prefix: testRedis.prefix, pingIntervalMs: 20, timeoutMs: 1000 });
  try {
    const level = [{ scope: "ten:replay-repair", period: DAY, capMicros: 1_000_000 }];
    const before = await b.budgets.reserve(level, 500);
    if (!before.ok) throw new Error("refused while Redis was up");

    // b loses Redis; its request's settle is queued, and its event reaches the ledger through b's outbox.
    control.down = true;
    await b.budgets.settle(before.reservation, 300);
    expect(b.degraded()).toBe(true);
    await Bun.sleep(5);
    // a, on Redis, is answered by the control plane with that ledger (300) and repairs the counter to it.
    await a.budgets.repair("ten:replay-repair", DAY, 300, 1);
    await Bun.sleep(5);
    // A request b admits after the repair (fail-open): its event is not in the ledger a repaired to.
    const after = await b.budgets.reserve(level, 500, { failOpen: true });
    if (!after.ok) throw new Error("refused while failing open");
    await b.budgets.settle(after.reservation, 50);

    control.down = false;
    const deadline = Date.now() + 5000;
    while (b.degraded() && Date.now() < deadline) await Bun.sleep(20);
    expect(b.degraded()).toBe(false);

    // 300 is counted once (the repair holds it), the later 50 on top.
    expect(await a.budgets.status("ten:replay-repair", DAY)).toEqual({ spentMicros: 350, reservedMicros: 0 });
  } finally {
    a.close();
    b.close();
  }
});

/** Resolves once the clock has moved past the current millisecond (settles and repairs are dated in ms). */
const nextMillisecond = (from = Date.now()) => waitFor(() => Date.now() > from, "the clock to move on", UNIT_TEST_WAIT_MS);

test("a settle queued after a lease request was sent, before its answer repaired the counter, is added on replay: its event was not in the ledger the answer read", async () => {
  const scope = "ten:replay-request";
  const { client, control } = controlledClient(testRedis.client);
  const a = createResilientCounters({ redis: testRedis.client, prefix: testRedis.prefix, timeoutMs: 1000 });
  const b = createResilientCounters({ redis: client, prefix: testRedis.prefix, pingIntervalMs: 20, timeoutMs: 1000 });
  // The control plane read its ledger (holding b's 300, shipped by b's outbox) when the request came,
  // and answers once the test lets it.
  let requested = false;
  let letAnswer!: () => void;
  const answerLet = new Promise<void>((resolve) => (letAnswer = resolve));
  const controlPlane = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(request) {
      const { leases: asks } = (await request.json()) as { leases: { scope: string; period: string }[] };
      requested = true;
      await answerLet;
      const expiresAt = new Date(Date.now() + 60_000).toISOString();
      return Response.json({
        grants: asks.map((ask) => ({ scope: ask.scope, period: ask.period, managed: true, capMicros: 1_000_000, grantedMicros: 1_000_000, expiresAt, ttlMs: 60_000, exhausted: false, ledgerSpentMicros: 300, ledgerVersion: 1 })),
      });
    },
  });
  const leases = startLeaseClient({ controlPlaneUrl: `http://127.0.0.1:${controlPlane.port}`, regionToken: "rt_test", proxyId: "prx_a", ledger: a.budgets, refreshMs: 60_000 });
  try {
    const level = [{ scope, period: DAY, capMicros: 1_000_000 }];
    const first = await b.budgets.reserve(level, 500);
    const second = await b.budgets.reserve(level, 500);
    if (!first.ok || !second.ok) throw new Error("refused while Redis was up");

    // b loses Redis: its first settle is queued (its event reaches the ledger through b's outbox).
    control.down = true;
    await b.budgets.settle(first.reservation, 300);
    expect(b.degraded()).toBe(true);
    await nextMillisecond();

    // a asks for the level; while the answer is on its way, b's second settle is queued.
    const asked = leases.ask(scope, DAY);
    await waitFor(() => requested, "the lease request to reach the control plane", UNIT_TEST_WAIT_MS);
    await nextMillisecond();
    await b.budgets.settle(second.reservation, 50);
    await nextMillisecond();
    letAnswer();
    await asked;
    // a found the counter behind the ledger and repaired it.
    expect((await a.budgets.status(scope, DAY)).spentMicros).toBe(300);

    control.down = false;
    await waitFor(() => !b.degraded(), "b back on Redis, its queue replayed", UNIT_TEST_WAIT_MS);

    // 300 is counted once (the repair holds it), the 50 made after the request on top.
    expect(await a.budgets.status(scope, DAY)).toEqual({ spentMicros: 350, reservedMicros: 0 });
  } finally {
    await leases.stop();
    controlPlane.stop(true);
    a.close();
    b.close();
  }
});
