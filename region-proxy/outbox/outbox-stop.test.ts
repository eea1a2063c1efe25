/**
 * stop() is bounded even while the control plane black-holes the usage POST (accepts it, never
 * answers): the thread aborts the send in flight after its last-flush window (STOP_FLUSH_MS, 3 s),
 * closes KV and answers, so the request side never has to terminate it; the events stay in KV and
 * go out on the next start.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { openProxyKv } from "../kv/open-kv.ts";
import { startBlackHole } from "../testing/black-hole-server.ts";
import { waitFor } from "../testing/proxy-fixture.ts";
import { startUsageAckServer } from "../testing/usage-ack-server.ts";
import { startOutboxThread } from "./outbox-thread.ts";
import { UsageOutbox } from "./outbox.ts";

const event = (i: number) => ({ eventId: `evt_stop_${i}`, requestId: `req_stop_${i}` }) as unknown as UsageEvent;

const dataDir = mkdtempSync(join(tmpdir(), "outbox-stop-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function storedInKv(): Promise<number> {
  const kv = await openProxyKv(dataDir);
  const n = await new UsageOutbox(kv).size();
  kv.close();
  return n;
}

test("stop() while the ingest black-holes a send returns within the last-flush window, closes KV, and keeps every event for the next start", async () => {
  const hole = startBlackHole();
  const logs: string[] = [];
  try {
    const thread = await startOutboxThread({ dataDir, controlPlaneUrl: hole.url, regionToken: "t", proxyId: "prx_stop", flushIntervalMs: 20 }, (l) => logs.push(l));
    for (let i = 0; i < 50; i++) thread.record(event(i));
    await waitFor(() => hole.posts() >= 1, "a send is hanging");
    for (let i = 50; i < 60; i++) thread.record(event(i));
    const started = Date.now();
    await thread.stop();
    const took = Date.now() - started;
    expect(took).toBeLessThan(3_500);
    // The thread answered: it was not terminated with events it had committed reported as unconfirmed.
    expect(logs.filter((l) => l.includes("did not stop") || l.includes("unconfirmed"))).toEqual([]);
    expect(logs.some((l) => l.includes("could not be written"))).toBe(false);
  } finally {
    await hole.stop();
  }
  // KV was closed by the thread: it opens here, with every event in it.
  expect(await storedInKv()).toBe(60);

  const ingest = startUsageAckServer();
  try {
    const thread = await startOutboxThread({ dataDir, controlPlaneUrl: ingest.url, regionToken: "t", proxyId: "prx_stop", flushIntervalMs: 20 }, () => {});
    await waitFor(() => new Set(ingest.batches.flat().map((e) => e.eventId)).size === 60, "all 60 delivered on the next start");
    await thread.stop();
  } finally {
    await ingest.stop();
  }
  expect(await storedInKv()).toBe(0);
}, 30_000);
