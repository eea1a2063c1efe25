/**
 * Batches and the control plane's body limit (MAX_USAGE_BODY_BYTES, 4 MiB): the flusher builds each
 * batch within a byte budget below it, halves a batch the control plane still refuses as too large
 * (413), backing off before each retry, and drops (logged with its ids, counted) a single event the
 * control plane refuses alone (batch_too_large) or that is over its limit, so nothing blocks the queue
 * behind it. A 413 from something else in between: outbox-413.test.ts.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_USAGE_BATCH, MAX_USAGE_BODY_BYTES } from "../../shared/internal-api.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { useUsageIngest } from "../../control-plane/usage/use-usage-ingest.ts";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
import { waitFor } from "../testing/proxy-fixture.ts";
import { startFlusher, USAGE_BODY_BUDGET_BYTES } from "./flusher.ts";
import { startOutboxThread } from "./outbox-thread.ts";
import { UsageOutbox } from "./outbox.ts";

const ingest = useUsageIngest();
const dirs: string[] = [];
const freshKv = async (): Promise<Kv> => {
  const dir = mkdtempSync(join(tmpdir(), "outbox-oversize-"));
  dirs.push(dir);
  return openProxyKv(dir);
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const append = (outbox: UsageOutbox, events: UsageEvent[]) => outbox.appendMany(events.map((e) => e.eventId), events.map((e) => JSON.stringify(e)));
const ledgerCount = async (pattern: string) => (await ingest.sql<{ n: number }[]>`select count(*)::int as n from usage_events where event_id like ${pattern}`)[0]!.n;

test("the budget is safely below the control plane's body limit", () => {
  expect(USAGE_BODY_BUDGET_BYTES).toBeLessThan(MAX_USAGE_BODY_BYTES);
  expect(USAGE_BODY_BUDGET_BYTES).toBeGreaterThan(MAX_USAGE_BODY_BYTES / 2);
});

test("500 valid ~12 KB events (over 4 MiB together) and one behind them all reach the control plane's ledger, with no 413", async () => {
  // 16 skipped trail steps with 200-character CJK model names: ~12 KB of UTF-8 per event.
  const model = "模".repeat(200);
  const trail = Array.from({ length: 16 }, (_, i) => ({ deploymentId: `dep_${String(i).padStart(16, "x")}`, provider: "anthropic", vendorModel: model, outcome: "skipped", reason: "circuit_open", latencyMs: 0 }));
  const events = Array.from({ length: MAX_USAGE_BATCH }, (_, i) =>
    ingest.event(`evt_big_${i}`, { provider: null, deploymentId: null, vendorModel: null, status: "error", errorCode: "circuit_open", attempts: 0, costMicros: 0, attemptTrail: trail, fallback: false }),
  );
  expect(new TextEncoder().encode(`{"events":[${events.map((e) => JSON.stringify(e)).join(",")}]}`).length).toBeGreaterThan(MAX_USAGE_BODY_BYTES);
  const kv = await freshKv();
  const outbox = new UsageOutbox(kv, { maxDelayMs: 0 });
  await append(outbox, events);
  await append(outbox, [ingest.event("evt_big_after")]);
  const logs: string[] = [];
  const flusher = startFlusher({ outbox, controlPlaneUrl: ingest.t.cp.url, regionToken: ingest.s.euToken, proxyId: "prx_t", intervalMs: 60_000, log: (l) => logs.push(l) });
  expect(await flusher.flushNow()).toBe(true);
  await flusher.stop();
  expect(await ledgerCount("evt_big_%")).toBe(MAX_USAGE_BATCH + 1);
  expect(logs.filter((l) => l.includes("413"))).toEqual([]);
  expect(await outbox.size()).toBe(0);
  kv.close();
}, 60_000);

test("an event the control plane refuses alone as too large is logged with its ids, dropped and counted; the events around it are delivered", async () => {
  const huge = ingest.event("evt_huge_1", { alias: "x".repeat(MAX_USAGE_BODY_BYTES + 1000) });
  const kv = await freshKv();
  const outbox = new UsageOutbox(kv, { maxDelayMs: 0 });
  await append(outbox, [ingest.event("evt_huge_before"), huge, ingest.event("evt_huge_after")]);
  const logs: string[] = [];
  const dropped: string[] = [];
  const flusher = startFlusher({ outbox, controlPlaneUrl: ingest.t.cp.url, regionToken: ingest.s.euToken, proxyId: "prx_t", intervalMs: 60_000, log: (l) => logs.push(l), onDropped: (ids) => dropped.push(...ids) });
  expect(await flusher.flushNow()).toBe(true);
  await flusher.stop();
  const [row] = await ingest.sql<{ ids: string[] }[]>`select coalesce(array_agg(event_id order by event_id), '{}') as ids from usage_events where event_id like 'evt_huge_%'`;
  expect(row!.ids).toEqual(["evt_huge_after", "evt_huge_before"]);
  expect(dropped).toEqual(["evt_huge_1"]);
  expect(logs.some((l) => l.includes("evt_huge_1") && l.includes("req_evt_huge_1") && l.includes("413"))).toBe(true);
  expect(await outbox.size()).toBe(0);
  kv.close();
}, 60_000);

/** A usage endpoint that refuses (413) any body over `limit` bytes and acknowledges the rest. */
function limitedServer(limit: number) {
  const received: string[] = [];
  const sizes: { bytes: number; status: number; at: number }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const body = new Uint8Array(await request.arrayBuffer());
      if (body.length > limit) {
        sizes.push({ bytes: body.length, status: 413, at: Date.now() });
        return Response.json({ error: { code: "batch_too_large" } }, { status: 413 });
      }
      sizes.push({ bytes: body.length, status: 200, at: Date.now() });
      const { events } = JSON.parse(new TextDecoder().decode(body)) as { events: UsageEvent[] };
      received.push(...events.map((e) => e.eventId));
      const ids = events.map((e) => e.eventId);
      return Response.json({ accepted: ids.length, duplicates: 0, rejected: [], ackedEventIds: ids });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, received, sizes, stop: () => server.stop(true) };
}

const padded = (id: string, bytes: number) => ({ eventId: id, requestId: `req_${id}`, pad: "p".repeat(bytes) }) as unknown as UsageEvent;

test("a batch refused with 413 (a control plane with a smaller limit) is halved until it is taken, with a backoff before each retry; every event arrives once", async () => {
  const server = limitedServer(40_000);
  const kv = await freshKv();
  const outbox = new UsageOutbox(kv, { maxDelayMs: 0 });
  const events = Array.from({ length: 40 }, (_, i) => padded(`evt_h${i}`, 5_000));
  await append(outbox, events);
  const logs: string[] = [];
  const intervalMs = 20;
  const flusher = startFlusher({ outbox, controlPlaneUrl: server.url, regionToken: "t", proxyId: "p", intervalMs, log: (l) => logs.push(l) });
  await waitFor(() => server.received.length === events.length, "every event taken");
  await flusher.stop();
  await server.stop();
  expect(server.received).toEqual(events.map((e) => e.eventId));
  // 40 events (~200 KB) -> 20 -> 10 -> 5 (~25 KB) taken.
  expect(server.sizes.filter((s) => s.status === 413).length).toBe(3);
  // Each halved retry waits out a backoff (2x, 4x, 8x the interval), instead of going at once.
  const at = server.sizes.map((s) => s.at);
  expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(2 * intervalMs - 5);
  expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(4 * intervalMs - 5);
  expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(8 * intervalMs - 5);
  expect(logs.some((l) => l.includes("413"))).toBe(true);
  expect(await outbox.size()).toBe(0);
  kv.close();
});

test("the outbox thread counts an event dropped as too large in droppedEvents (what /health serves)", async () => {
  const server = limitedServer(40_000);
  const dataDir = mkdtempSync(join(tmpdir(), "outbox-oversize-thread-"));
  dirs.push(dataDir);
  const logs: string[] = [];
  const thread = await startOutboxThread({ dataDir, controlPlaneUrl: server.url, regionToken: "t", proxyId: "p", flushIntervalMs: 60_000 }, (l) => logs.push(l));
  try {
    await thread.append(padded("evt_small", 100));
    await thread.append(padded("evt_too_big", 50_000));
    // The two together are refused: halved, after a backoff (here the next flush); then the control plane refuses the big one alone.
    expect(await thread.flushNow()).toBe(false);
    expect(await thread.flushNow()).toBe(true);
    expect(server.received).toEqual(["evt_small"]);
    expect(thread.status()).toMatchObject({ storedEvents: 0, droppedEvents: 1 });
    expect(logs.some((l) => l.includes("evt_too_big") && l.includes("req_evt_too_big"))).toBe(true);
  } finally {
    await thread.stop();
    await server.stop();
  }
});
