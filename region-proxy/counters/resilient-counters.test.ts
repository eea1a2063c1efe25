/**
 * Real faults: a redis-server of our own on a free port (never the shared one), killed, hung with
 * SIGSTOP and restarted while the counters are in use.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type Redis from "ioredis";
import { createCountersRedis } from "./counters-redis.ts";
import { createResilientCounters, type ResilientCounters } from "./resilient-counters.ts";
import { freePort } from "../../test/support/ports.ts";

const T0 = 1_764_000_000_000;
const DAY = "day:2026-11-25";

function startRedis(port: number) {
  return Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdout: "ignore",
    stderr: "ignore",
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

describe("resilient counters", () => {
  const port = freePort();
  let server = startRedis(port);
  let redis: Redis;
  let counters: ResilientCounters;
  const changes: boolean[] = [];

  beforeAll(async () => {
    redis = createCountersRedis(`redis://127.0.0.1:${port}`, { maxReconnectDelayMs: 100 });
    await until(async () => (await redis.ping().catch(() => "")) === "PONG", "redis-server to start");
    counters = createResilientCounters({ redis, prefix: "t:", replicaShare: 0.5, pingIntervalMs: 50, onStateChange: (d) => changes.push(d) });
  });
  afterAll(() => {
    counters.close();
    redis.disconnect();
    server.kill("SIGKILL");
  });

  test("Redis dies: no call throws, limits hold at the replica's share, budgets fail closed or open; back when it returns", async () => {
    const before = await counters.limiter.acquire([{ scope: "key:k1", rpm: 60 }], 0, T0);
    expect(before.requests).toEqual({ limit: 60, remaining: 59, resetMs: 1000 });
    const held = await counters.budgets.reserve([{ scope: "team:t1", period: DAY, capMicros: 10_000 }], 4000);
    if (!held.ok) throw new Error("reserve refused while Redis was up");
    expect(counters.degraded()).toBe(false);

    server.kill("SIGKILL");
    await server.exited;

    const verdicts = await Promise.all(Array.from({ length: 100 }, () => counters.limiter.acquire([{ scope: "key:k2", rpm: 60 }], 0, T0)));
    expect(counters.degraded()).toBe(true);
    // Every call fails over to this replica's local counter, which enforces 60 * 0.5.
    expect(verdicts.filter((v) => v.allowed).length).toBe(30);
    expect(verdicts.find((v) => v.allowed)!.requests!.limit).toBe(30);

    const closed = await counters.budgets.reserve([{ scope: "team:t1", period: DAY, capMicros: 10_000 }], 100);
    expect(closed).toMatchObject({ ok: false, unavailable: true, scope: "team:t1" });
    const open = await counters.budgets.reserve([{ scope: "team:t1", period: DAY, capMicros: 10_000 }], 100, { failOpen: true });
    expect(open.ok).toBe(true);
    if (open.ok) await counters.budgets.settle(open.reservation, 90);
    await counters.budgets.settle(held.reservation, 3500); // queued for Redis
    await counters.limiter.adjustTokens([{ scope: "key:k2", tpm: 1000 }], 10, T0);
    await counters.budgets.status("team:t1", DAY);

    server = startRedis(port);
    await until(() => !counters.degraded(), "the counters to return to Redis");
    expect(changes).toEqual([true, false]);
    // The restarted Redis is empty (no persistence): the replayed settles (3500 queued, 90 spent in memory) are all it knows.
    expect(await counters.budgets.status("team:t1", DAY)).toEqual({ spentMicros: 3590, reservedMicros: 0 });
    const after = await counters.limiter.acquire([{ scope: "key:k1", rpm: 60 }], 0, T0);
    expect(after.requests).toEqual({ limit: 60, remaining: 59, resetMs: 1000 });
  });

  test("spend settled in memory while degraded reaches Redis on recovery, counted once however often it is replayed", async () => {
    await until(() => !counters.degraded(), "a healthy start");
    const level = [{ scope: "ten:reconcile", period: DAY, capMicros: 10_000 }];
    const before = await counters.budgets.reserve(level, 1000, { failOpen: true });
    if (!before.ok) throw new Error("reserve refused while Redis was up");
    await counters.budgets.settle(before.reservation, 1000);

    server.kill("SIGSTOP");
    try {
      for (let i = 0; i < 3; i++) {
        const during = await counters.budgets.reserve(level, 4000, { failOpen: true });
        if (!during.ok) throw new Error("fail-open reserve refused while degraded");
        await counters.budgets.settle(during.reservation, 4000);
        await counters.budgets.settle(during.reservation, 4000); // a repeat: two queued writes, one spend
      }
      expect(counters.degraded()).toBe(true);
    } finally {
      server.kill("SIGCONT");
    }
    await until(() => !counters.degraded(), "the counters to return after SIGCONT");

    // (reservedMicros may hold the first degraded reserve: sent, timed out, applied once Redis resumed.)
    expect((await counters.budgets.status("ten:reconcile", DAY)).spentMicros).toBe(13_000);
    const past = await counters.budgets.reserve(level, 5000, { failOpen: true });
    expect(past).toMatchObject({ ok: false, spentMicros: 13_000 });
  });

  test("a hung Redis (SIGSTOP) times out quickly instead of hanging the request", async () => {
    await until(() => !counters.degraded(), "a healthy start");
    server.kill("SIGSTOP");
    try {
      const started = performance.now();
      const verdict = await counters.limiter.acquire([{ scope: "key:k3", rpm: 10 }], 0, T0);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(verdict.allowed).toBe(true);
      expect(verdict.requests!.limit).toBe(5);
      expect(counters.degraded()).toBe(true);
    } finally {
      server.kill("SIGCONT");
    }
    await until(() => !counters.degraded(), "the counters to return after SIGCONT");
  });
});
