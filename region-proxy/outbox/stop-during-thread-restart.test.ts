/**
 * Review rg #1: a graceful stop() that lands while the outbox thread is being replaced (it died; the
 * replacement waits RESTART_DELAY_MS, then opens and counts KV) drops every event handed over since the
 * death, although a graceful stop is documented to lose nothing (outbox-thread.ts, README).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { openProxyKv } from "../kv/open-kv.ts";
import { startOutboxThread } from "./outbox-thread.ts";
import { UsageOutbox } from "./outbox.ts";
import { closedUrl } from "../../test/support/ports.ts";

const root = mkdtempSync(join(tmpdir(), "rv-rg-restart-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const event = (id: string) => ({ eventId: id, requestId: `req_${id}` }) as unknown as UsageEvent;

test("stop() while the outbox thread is being restarted still commits every recorded event", async () => {
  const dataDir = join(root, "d");
  const logs: string[] = [];
  const crashing = new URL("../testing/crash-once-outbox-worker.ts", import.meta.url);
  const thread = await startOutboxThread({ dataDir, controlPlaneUrl: closedUrl(), regionToken: "t", proxyId: "p", flushIntervalMs: 60_000 }, (l) => logs.push(l), { workerScript: crashing });
  thread.record(event("evt_a"));
  // The first batch kills the thread (crash-once); wait until it is seen down.
  const t0 = Date.now();
  while (thread.status().threadRunning && Date.now() - t0 < 3_000) await Bun.sleep(5);
  expect(thread.status().threadRunning).toBe(false);
  thread.record(event("evt_b"));
  // SIGTERM now: the replacement is still being started.
  await thread.stop();
  const kv = await openProxyKv(dataDir);
  const ids = [...new Set((await new UsageOutbox(kv).peek(10_000)).map((p) => p.eventId))].sort();
  kv.close();
  console.log(logs.filter((l) => l.includes("could not be written")).join("\n"));
  expect(thread.status().droppedEvents).toBe(0);
  expect(ids).toEqual(["evt_a", "evt_b"]);
});
