/**
 * The outbox thread's liveness in its status (what /health serves): whether the thread is up, how
 * often it was restarted, and the events it has not confirmed with the oldest one's age. A thread that
 * dies on every batch (crash-always-outbox-worker.ts) must not read as healthy.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { ProxyDeps } from "../deps.ts";
import { health } from "../routes/health.ts";
import { startOutboxThread, type OutboxStatus } from "./outbox-thread.ts";

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "outbox-liveness-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const init = (dataDir: string) => ({ dataDir, controlPlaneUrl: "http://127.0.0.1:9", regionToken: "t", proxyId: "p", flushIntervalMs: 60_000 });
const ev = (i: number) => ({ eventId: `evt_${i}`, requestId: `req_${i}` }) as unknown as UsageEvent;
const healthOf = async (status: OutboxStatus) =>
  (await health("req", {
    region: "eu",
    proxyId: "p",
    current: { get: () => ({}), version: () => 1, ageSeconds: () => 0, controlPlaneReachable: true },
    limits: {},
    isShuttingDown: () => false,
    usageOutbox: () => status,
  } as unknown as ProxyDeps).json()) as { status: string; degraded: string[] };

test("a working thread: up, never restarted, nothing unconfirmed once its events are committed", async () => {
  const thread = await startOutboxThread(init(freshDir()), () => {});
  try {
    expect(thread.status()).toMatchObject({ threadRunning: true, threadRestarts: 0, unconfirmedEvents: 0, oldestUnconfirmedAgeMs: null });
    thread.record(ev(1));
    const pending = thread.status();
    expect(pending.unconfirmedEvents).toBe(1);
    expect(pending.oldestUnconfirmedAgeMs).toBeGreaterThanOrEqual(0);
    await thread.append(ev(2));
    expect(thread.status()).toMatchObject({ threadRunning: true, threadRestarts: 0, unconfirmedEvents: 0, oldestUnconfirmedAgeMs: null, storedEvents: 2 });
    expect((await healthOf(thread.status())).status).toBe("ok");
  } finally {
    await thread.stop();
  }
});

test("a thread that dies on every batch: restarts counted, seen down, events unconfirmed and ageing; /health degraded", async () => {
  const crashing = new URL("../testing/crash-always-outbox-worker.ts", import.meta.url);
  const logs: string[] = [];
  const thread = await startOutboxThread(init(freshDir()), (l) => logs.push(l), { workerScript: crashing });
  try {
    const started = Date.now();
    for (let i = 0; i < 3_000; i++) thread.record(ev(i));
    let seenDown = false;
    while (Date.now() - started < 2_500) {
      if (!thread.status().threadRunning) seenDown = true;
      await Bun.sleep(10);
    }
    const status = thread.status();
    expect(seenDown).toBe(true);
    expect(status.threadRestarts).toBeGreaterThanOrEqual(1);
    expect(status.threadRestarts).toBe(logs.filter((l) => l.includes("exited; restarting")).length);
    expect(status.unconfirmedEvents).toBe(3_000);
    expect(status.storedEvents).toBe(0);
    expect(status.oldestUnconfirmedAgeMs).toBeGreaterThanOrEqual(2_400);
    expect(status.oldestUnconfirmedAgeMs).toBeLessThan(Date.now() - started + 1_000);
    // With the age past the threshold (as it would be a few seconds later), /health says why it is degraded.
    const aged = { ...status, threadRunning: true, oldestUnconfirmedAgeMs: 60_000 };
    const report = await healthOf(aged);
    expect(report.status).toBe("degraded");
    expect(report.degraded.join(" ")).toContain("3000");
  } finally {
    await thread.stop();
  }
  expect(thread.status()).toMatchObject({ threadRunning: false, unconfirmedEvents: 0, oldestUnconfirmedAgeMs: null });
}, 30_000);
