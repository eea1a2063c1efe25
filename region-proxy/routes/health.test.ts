/**
 * GET /health says "degraded", and why, while the usage outbox thread is down or usage events have
 * waited unconfirmed (held in memory only, not yet committed to KV) for more than a few seconds; the
 * counters' outage is listed the same way. It stays 200 (it reports; /ready decides traffic).
 */
import { expect, test } from "bun:test";
import type { ProxyDeps } from "../deps.ts";
import type { OutboxStatus } from "../outbox/outbox-thread.ts";
import { health, ready, UNCONFIRMED_DEGRADED_MS, UNSHIPPED_DEGRADED_MS } from "./health.ts";

const healthyOutbox: OutboxStatus = { storedEvents: 0, maxStoredEvents: 100, droppedEvents: 0, corruptEntries: 0, threadRunning: true, threadRestarts: 0, unconfirmedEvents: 0, oldestUnconfirmedAgeMs: null, oldestUnshippedAgeMs: 0, flushFailures: 0 };

function deps(outbox: OutboxStatus | null, countersDegraded = false): ProxyDeps {
  return {
    region: "eu",
    proxyId: "prx_t",
    current: { get: () => ({}), version: () => 1, ageSeconds: () => 0, controlPlaneReachable: true },
    limits: { degraded: () => countersDegraded },
    isShuttingDown: () => false,
    ...(outbox ? { usageOutbox: () => outbox } : {}),
  } as unknown as ProxyDeps;
}

const body = async (response: Response) => (await response.json()) as { status: string; degraded: string[]; usageOutbox: OutboxStatus | null };

test("all well: ok, nothing degraded", async () => {
  const response = health("req_1", deps(healthyOutbox));
  expect(response.status).toBe(200);
  expect(await body(response)).toMatchObject({ status: "ok", degraded: [], usageOutbox: healthyOutbox });
  // Unconfirmed events younger than the threshold are the normal hand-over window.
  expect(await body(health("req_2", deps({ ...healthyOutbox, unconfirmedEvents: 300, oldestUnconfirmedAgeMs: 120 })))).toMatchObject({ status: "ok", degraded: [] });
  expect(await body(health("req_3", deps(null)))).toMatchObject({ status: "ok", degraded: [] });
});

test("the outbox thread down: degraded, saying so and how often it restarted", async () => {
  const response = health("req_1", deps({ ...healthyOutbox, threadRunning: false, threadRestarts: 11, unconfirmedEvents: 30_000, oldestUnconfirmedAgeMs: 900 }));
  expect(response.status).toBe(200);
  const { status, degraded } = await body(response);
  expect(status).toBe("degraded");
  expect(degraded).toHaveLength(1);
  expect(degraded[0]).toContain("usageOutbox");
  expect(degraded[0]).toContain("down");
  expect(degraded[0]).toContain("11");
});

test("events unconfirmed for longer than the threshold (a crash-looping thread that is up between crashes): degraded, with their number and age", async () => {
  const { status, degraded } = await body(health("req_1", deps({ ...healthyOutbox, threadRestarts: 4, unconfirmedEvents: 30_000, oldestUnconfirmedAgeMs: UNCONFIRMED_DEGRADED_MS + 2_000 })));
  expect(status).toBe("degraded");
  expect(degraded).toHaveLength(1);
  expect(degraded[0]).toContain("30000");
  expect(degraded[0]).toContain(`${Math.round((UNCONFIRMED_DEGRADED_MS + 2_000) / 1000)} s`);
  expect(UNCONFIRMED_DEGRADED_MS).toBeLessThanOrEqual(10_000);
});

test("usage not shipped for longer than the threshold (control plane unreachable or refusing): degraded, with its age and failed rounds; still 200 and ready", async () => {
  // A backlog a flush round old is the normal state of a busy outbox.
  expect(await body(health("req_0", deps({ ...healthyOutbox, storedEvents: 40, oldestUnshippedAgeMs: 1_200 })))).toMatchObject({ status: "ok", degraded: [] });
  const stuck = { ...healthyOutbox, storedEvents: 3, oldestUnshippedAgeMs: UNSHIPPED_DEGRADED_MS + 60_000, flushFailures: 17 };
  const response = health("req_1", deps(stuck));
  expect(response.status).toBe(200);
  const { status, degraded } = await body(response);
  expect(status).toBe("degraded");
  expect(degraded).toHaveLength(1);
  expect(degraded[0]).toContain("usageOutbox");
  expect(degraded[0]).toContain(`${Math.round((UNSHIPPED_DEGRADED_MS + 60_000) / 1000)} s old`);
  expect(degraded[0]).toContain("17 failed shipping rounds");
  // The load balancer keeps the replica: every replica ships to the same control plane.
  const r = ready("req_2", deps(stuck));
  expect(r.status).toBe(200);
  expect(await r.json()).toMatchObject({ ready: true, degraded: [] });
});

test("counters degraded are listed too; /ready keeps its meaning (200, degraded: [\"counters\"])", async () => {
  const { status, degraded } = await body(health("req_1", deps(healthyOutbox, true)));
  expect(status).toBe("degraded");
  expect(degraded).toHaveLength(1);
  expect(degraded[0]).toContain("counters");
  const r = ready("req_2", deps({ ...healthyOutbox, threadRunning: false }, true));
  expect(r.status).toBe(200);
  expect(await r.json()).toEqual({ ready: true, degraded: ["counters"], snapshotVersion: 1 });
});

test("the outbox at its cap (USAGE_OUTBOX_MAX_EVENTS): degraded, saying new usage events are refused", async () => {
  const { status, degraded } = await body(health("req_1", deps({ ...healthyOutbox, storedEvents: 100, maxStoredEvents: 100 })));
  expect(status).toBe("degraded");
  expect(degraded).toHaveLength(1);
  expect(degraded[0]).toContain("usageOutbox");
  expect(degraded[0]).toContain("100");
  expect(degraded[0]).toContain("refused");
});

test("usage events dropped in the last minute (refused at the cap, commits failing on a full disk): degraded with their number; ok again a minute after the last drop", async () => {
  const status = { ...healthyOutbox };
  const proxy = deps(status);
  const t0 = 1_000_000;
  const look = async (at: number) => body(health("req", proxy, at));
  expect(await look(t0)).toMatchObject({ status: "ok", degraded: [] });
  status.droppedEvents = 7;
  const first = await look(t0 + 10_000);
  expect(first.status).toBe("degraded");
  expect(first.degraded).toHaveLength(1);
  expect(first.degraded[0]).toContain("usageOutbox: 7 usage events dropped in the last minute");
  status.droppedEvents = 10;
  expect((await look(t0 + 40_000)).degraded[0]).toContain("10 usage events dropped");
  // 61 s after the 7th: only the 3 dropped since count; after the last drop's minute, ok.
  expect((await look(t0 + 71_000)).degraded[0]).toContain("3 usage events dropped");
  expect(await look(t0 + 101_000)).toMatchObject({ status: "ok", degraded: [] });
  // A proxy first looked at after it dropped events: they count as recent.
  expect((await body(health("req", deps({ ...healthyOutbox, droppedEvents: 2 }), t0))).degraded[0]).toContain("2 usage events dropped");
});

test("looks more often than once a second (a load balancer and probes) still let a drop age out after a minute", async () => {
  const status = { ...healthyOutbox };
  const proxy = deps(status);
  const t0 = 1_000_000;
  for (let t = t0; t < t0 + 10_000; t += 500) health("req", proxy, t);
  status.droppedEvents = 1;
  let last = await body(health("req", proxy, t0 + 10_000));
  expect(last.status).toBe("degraded");
  for (let t = t0 + 10_500; t <= t0 + 72_000; t += 500) last = await body(health("req", proxy, t));
  expect(last).toMatchObject({ status: "ok", degraded: [] });
  // Drops that keep coming, each look under a second apart: counted for the minute they fall in.
  for (let t = t0 + 72_500, n = 2; t <= t0 + 80_000; t += 300, n++) status.droppedEvents = n;
  expect((await body(health("req", proxy, t0 + 80_000))).status).toBe("degraded");
});
