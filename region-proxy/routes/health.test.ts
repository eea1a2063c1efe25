/**
 * GET /health says "degraded", and why, while the usage outbox thread is down or usage events have
 * waited unconfirmed (held in memory only, not yet committed to KV) for more than a few seconds; the
 * counters' outage is listed the same way. It stays 200 (it reports; /ready decides traffic).
 */
import { expect, test } from "bun:test";
import type { ProxyDeps } from "../deps.ts";
import type { OutboxStatus } from "../outbox/outbox-thread.ts";
import { health, ready, UNCONFIRMED_DEGRADED_MS } from "./health.ts";

const healthyOutbox: OutboxStatus = { storedEvents: 0, maxStoredEvents: 100, droppedEvents: 0, corruptEntries: 0, threadRunning: true, threadRestarts: 0, unconfirmedEvents: 0, oldestUnconfirmedAgeMs: null };

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

test("counters degraded are listed too; /ready keeps its meaning (200, degraded: [\"counters\"])", async () => {
  const { status, degraded } = await body(health("req_1", deps(healthyOutbox, true)));
  expect(status).toBe("degraded");
  expect(degraded).toHaveLength(1);
  expect(degraded[0]).toContain("counters");
  const r = ready("req_2", deps({ ...healthyOutbox, threadRunning: false }, true));
  expect(r.status).toBe(200);
  expect(await r.json()).toEqual({ ready: true, degraded: ["counters"], snapshotVersion: 1 });
});
