/**
 * A 413 that does not come from the control plane: an ingress with a small client_max_body_size or a
 * WAF between the proxy and the control plane (here a Bun.serve front, forwarding to a real control
 * plane). Every usage event is far below the control plane's limit, so such a 413 on a single event is
 * a misconfiguration, not an event that can never be taken: the events are kept and retried after a
 * backoff, and only an event over the control plane's limit (or one it refuses itself, outbox-oversize
 * .test.ts) is dropped. Halving still finds the size such a front lets through, one backoff per halving.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_USAGE_BATCH, MAX_USAGE_BODY_BYTES } from "../../shared/internal-api.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { useUsageIngest } from "../../control-plane/usage/use-usage-ingest.ts";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
import { waitFor } from "../testing/proxy-fixture.ts";
import { startFlusher } from "./flusher.ts";
import { startOutboxThread } from "./outbox-thread.ts";
import { UsageOutbox } from "./outbox.ts";

const ingest = useUsageIngest();

/** What sits between proxy and control plane: forwards, or answers nginx's HTML 413 to everything or to bodies over `limit`. */
function startFront(target: () => string) {
  let refuse: (bytes: number) => boolean = () => false;
  const posts: { at: number; bytes: number; status: number }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(request) {
      const body = await request.arrayBuffer();
      const at = Date.now();
      if (refuse(body.byteLength)) {
        posts.push({ at, bytes: body.byteLength, status: 413 });
        return new Response("<html><head><title>413 Request Entity Too Large</title></head><body>nginx</body></html>", { status: 413, headers: { "content-type": "text/html" } });
      }
      const url = new URL(request.url);
      const response = await fetch(target() + url.pathname, { method: "POST", headers: request.headers, body });
      posts.push({ at, bytes: body.byteLength, status: response.status });
      return response;
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    posts,
    refuseAll: () => void (refuse = () => true),
    refuseOver: (limit: number) => void (refuse = (bytes) => bytes > limit),
    forward: () => void (refuse = () => false),
    stop: () => server.stop(true),
  };
}

let front: ReturnType<typeof startFront>;
beforeAll(() => {
  front = startFront(() => ingest.t.cp.url);
});
const dirs: string[] = [];
afterAll(async () => {
  await front.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "outbox-413-"));
  dirs.push(dir);
  return dir;
};
const freshKv = (): Promise<Kv> => openProxyKv(freshDir());
const append = (outbox: UsageOutbox, events: UsageEvent[]) => outbox.appendMany(events.map((e) => e.eventId), events.map((e) => JSON.stringify(e)));
const ledgerCount = async (pattern: string) => (await ingest.sql<{ n: number }[]>`select count(*)::int as n from usage_events where event_id like ${pattern}`)[0]!.n;

test("a front answering 413 to everything costs no event: the backlog is kept, nothing dropped, and all of it is delivered once the front is fixed", async () => {
  front.refuseAll();
  const logs: string[] = [];
  const outbox = await startOutboxThread({ dataDir: freshDir(), controlPlaneUrl: front.url, regionToken: ingest.s.euToken, proxyId: "prx_413", flushIntervalMs: 60_000 }, (l) => logs.push(l));
  try {
    await Promise.all(Array.from({ length: 300 }, (_, i) => outbox.append(ingest.event(`evt_all413_${i}`))));
    expect(await outbox.flushNow()).toBe(false);
    expect(outbox.status()).toMatchObject({ storedEvents: 300, droppedEvents: 0 });
    expect(logs.some((l) => l.includes("dropped"))).toBe(false);
    expect(logs.some((l) => l.includes("413") && l.includes("300 events kept"))).toBe(true);
    front.forward();
    expect(await outbox.flushNow()).toBe(true);
    expect(await ledgerCount("evt_all413_%")).toBe(300);
    expect(outbox.status()).toMatchObject({ storedEvents: 0, droppedEvents: 0 });
  } finally {
    front.forward();
    await outbox.stop();
  }
}, 30_000);

test("a single small event answered 413 by something that is not the control plane is kept, logged as such, retried after a backoff, and delivered once it passes", async () => {
  front.refuseAll();
  const kv = await freshKv();
  const outbox = new UsageOutbox(kv, { maxDelayMs: 0 });
  await append(outbox, [ingest.event("evt_lone413")]);
  const logs: string[] = [];
  const dropped: string[] = [];
  const flusher = startFlusher({ outbox, controlPlaneUrl: front.url, regionToken: ingest.s.euToken, proxyId: "prx_413", intervalMs: 60_000, log: (l) => logs.push(l), onDropped: (ids) => dropped.push(...ids) });
  try {
    expect(await flusher.flushNow()).toBe(false);
    expect(await flusher.flushNow()).toBe(false);
    expect(dropped).toEqual([]);
    expect(await outbox.size()).toBe(1);
    const line = logs.find((l) => l.includes("413"));
    expect(line).toContain("not the control plane");
    expect(line).toContain("kept");
    front.forward();
    expect(await flusher.flushNow()).toBe(true);
    expect(await ledgerCount("evt_lone413")).toBe(1);
    expect(await outbox.size()).toBe(0);
  } finally {
    front.forward();
    await flusher.stop();
    kv.close();
  }
}, 30_000);

test("the timer backs off after a foreign 413 as after a 5xx instead of retrying at once", async () => {
  front.refuseAll();
  const kv = await freshKv();
  const outbox = new UsageOutbox(kv, { maxDelayMs: 0 });
  await append(outbox, [ingest.event("evt_backoff413")]);
  const before = front.posts.length;
  const flusher = startFlusher({ outbox, controlPlaneUrl: front.url, regionToken: ingest.s.euToken, proxyId: "prx_413", intervalMs: 20, log: () => {} });
  try {
    await Bun.sleep(1_000);
    // Without backoff: ~50 rounds in a second. With it: 40, 80, 160, 320 ms... (plus jitter).
    const posts = front.posts.slice(before);
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(posts.length).toBeLessThanOrEqual(6);
    expect(await outbox.size()).toBe(1);
  } finally {
    await flusher.stop();
    front.forward();
    kv.close();
  }
}, 30_000);

test("an ingress body limit (1 MiB) below the batch: halving finds a size it lets through, with a backoff before each retry; nothing is dropped", async () => {
  // ~12 KB per event: 500 of them are ~6 MB, cut to the ~3 MiB budget, then refused by the front until halved under 1 MiB.
  const trail = Array.from({ length: 16 }, (_, i) => ({ deploymentId: `dep_${String(i).padStart(16, "x")}`, provider: "anthropic", vendorModel: "模".repeat(200), outcome: "skipped", reason: "circuit_open", latencyMs: 0 }));
  const events = Array.from({ length: MAX_USAGE_BATCH }, (_, i) =>
    ingest.event(`evt_ingress_${i}`, { provider: null, deploymentId: null, vendorModel: null, status: "error", errorCode: "circuit_open", attempts: 0, costMicros: 0, attemptTrail: trail, fallback: false }),
  );
  front.refuseOver(1024 * 1024);
  const kv = await freshKv();
  const outbox = new UsageOutbox(kv, { maxDelayMs: 0 });
  await append(outbox, events);
  const before = front.posts.length;
  const logs: string[] = [];
  const dropped: string[] = [];
  const intervalMs = 30;
  const flusher = startFlusher({ outbox, controlPlaneUrl: front.url, regionToken: ingest.s.euToken, proxyId: "prx_413", intervalMs, log: (l) => logs.push(l), onDropped: (ids) => dropped.push(...ids) });
  try {
    await waitFor(async () => (await ledgerCount("evt_ingress_%")) === MAX_USAGE_BATCH, "every event delivered", 20_000);
  } finally {
    await flusher.stop();
    front.forward();
    kv.close();
  }
  expect(dropped).toEqual([]);
  const posts = front.posts.slice(before);
  const refused = posts.filter((p) => p.status === 413);
  expect(refused.length).toBeGreaterThanOrEqual(2);
  expect(posts.every((p) => p.status === 413 || p.status === 200)).toBe(true);
  // Each retry after a 413 waits out a backoff (2x, 4x... the interval), never goes at once.
  for (let i = 0; i < posts.length - 1; i++) {
    if (posts[i]!.status === 413) expect(posts[i + 1]!.at - posts[i]!.at).toBeGreaterThanOrEqual(2 * intervalMs - 5);
  }
  // The sizes that passed are under the front's limit.
  expect(posts.filter((p) => p.status === 200).every((p) => p.bytes <= 1024 * 1024)).toBe(true);
  expect(logs.some((l) => l.includes("413") && l.includes("not the control plane"))).toBe(true);
}, 30_000);

test("a lone event over the control plane's limit (MAX_USAGE_BODY_BYTES), refused by the front before it reaches the control plane, is dropped, logged and counted; the events around it are delivered", async () => {
  front.refuseOver(1024 * 1024);
  const huge = ingest.event("evt_front_huge", { alias: "x".repeat(MAX_USAGE_BODY_BYTES + 1000) });
  const kv = await freshKv();
  const outbox = new UsageOutbox(kv, { maxDelayMs: 0 });
  await append(outbox, [ingest.event("evt_front_before"), huge, ingest.event("evt_front_after")]);
  const logs: string[] = [];
  const dropped: string[] = [];
  const flusher = startFlusher({ outbox, controlPlaneUrl: front.url, regionToken: ingest.s.euToken, proxyId: "prx_413", intervalMs: 60_000, log: (l) => logs.push(l), onDropped: (ids) => dropped.push(...ids) });
  try {
    expect(await flusher.flushNow()).toBe(true);
  } finally {
    await flusher.stop();
    front.forward();
    kv.close();
  }
  expect(dropped).toEqual(["evt_front_huge"]);
  expect(await ledgerCount("evt_front_%")).toBe(2);
  expect(logs.some((l) => l.includes("evt_front_huge") && l.includes("req_evt_front_huge") && l.includes("dropped"))).toBe(true);
}, 30_000);
