import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
import { MAX_USAGE_BATCH } from "../../shared/internal-api.ts";
import { startFlusher } from "./flusher.ts";
import { startUsageAckServer } from "../testing/usage-ack-server.ts";
import { UsageOutbox } from "./outbox.ts";

const event = (id: string) => ({ eventId: id, alias: "a".repeat(400) }) as unknown as UsageEvent;
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `evt_${String(from + i).padStart(4, "0")}`);

describe("UsageOutbox (group commit)", () => {
  let dir: string;
  let kv: Kv;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "outbox-unit-"));
    kv = await openProxyKv(dir);
  });
  afterEach(() => {
    kv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const entries = async () => {
    let n = 0;
    for await (const _ of kv.list({ prefix: ["outbox"] })) n++;
    return n;
  };

  test("concurrent appends all land, in order, in one entry", async () => {
    const outbox = new UsageOutbox(kv);
    await Promise.all(ids(300).map((id) => outbox.append(event(id))));
    expect(await outbox.size()).toBe(300);
    // One group, and it compresses well under a KV value: one entry (one mutation now, one delete later).
    expect(await entries()).toBe(1);
    expect((await outbox.peek(500)).map((p) => p.eventId)).toEqual(ids(300));
    // Reopened from disk, the same events are there: they were committed before append resolved.
    kv.close();
    kv = await openProxyKv(dir);
    expect(await new UsageOutbox(kv).size()).toBe(300);
  });

  test("a group that does not compress is cut into entries that each fit a KV value, in order", async () => {
    const outbox = new UsageOutbox(kv);
    // ~3 KB of random characters per event: zstd cannot shrink 150 events (~450 KB) under 60 KB.
    const noisy = (id: string) => ({ eventId: id, alias: Buffer.from(crypto.getRandomValues(new Uint8Array(2_250))).toString("base64") }) as unknown as UsageEvent;
    await Promise.all(ids(150).map((id) => outbox.append(noisy(id))));
    const sizes: number[] = [];
    for await (const entry of kv.list<Uint8Array>({ prefix: ["outbox"] })) sizes.push(entry.value.length);
    expect(sizes.length).toBeGreaterThanOrEqual(6);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(60_000);
    expect((await outbox.peek(500)).map((p) => p.eventId)).toEqual(ids(150));
  });

  test("a group larger than one control-plane batch is stored as entries of at most MAX_USAGE_BATCH events", async () => {
    const outbox = new UsageOutbox(kv, { groupEvents: MAX_USAGE_BATCH + 100 });
    const batch = ids(MAX_USAGE_BATCH + 100);
    await outbox.appendMany(batch, batch.map((id) => JSON.stringify(event(id))));
    expect(await entries()).toBe(2);
    // A whole entry per peek: the first batch is exactly the first MAX_USAGE_BATCH events.
    expect((await outbox.peek(MAX_USAGE_BATCH)).map((p) => p.eventId)).toEqual(batch.slice(0, MAX_USAGE_BATCH));
  });

  test("appendMany resolves once every event is committed, even across several commits", async () => {
    const outbox = new UsageOutbox(kv, { groupEvents: 4, maxDelayMs: 0 });
    const batch = ids(10, 500);
    await outbox.appendMany(batch, batch.map((id) => JSON.stringify(event(id))));
    expect(await entries()).toBeGreaterThanOrEqual(3);
    expect((await outbox.peek(50)).map((p) => p.eventId)).toEqual(batch);
  });

  test("appendMany rejects when a commit carrying its events fails", async () => {
    const outbox = new UsageOutbox(kv);
    kv.close();
    await expect(outbox.appendMany(["evt_x"], [JSON.stringify(event("evt_x"))])).rejects.toThrow();
    kv = await openProxyKv(dir);
  });

  // Real timers (Bun's fake timers around the KV native addon are not worth a crash in CI), and no
  // upper bound on time: a grouping delay is never shorter than asked, however loaded the machine.
  test("a lone append waits out the grouping delay for company, then is committed alone", async () => {
    const outbox = new UsageOutbox(kv, { maxDelayMs: 1_000 });
    const started = performance.now();
    let committed = false;
    const pending = outbox.append(event("evt_alone")).then(() => (committed = true));
    await Bun.sleep(50);
    expect(committed).toBe(false);
    expect(await entries()).toBe(0);
    await pending;
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(await entries()).toBe(1);
  });

  test("a full group is committed without waiting out the delay", async () => {
    const outbox = new UsageOutbox(kv, { maxDelayMs: 60_000, groupEvents: 10 });
    // Only the tenth event can let the group go before a minute: waiting out the delay fails the test's 10 s limit.
    await Promise.all(ids(10).map((id) => outbox.append(event(id))));
    expect(await entries()).toBe(1);
  }, 10_000);

  test("peek stops at its limit inside an entry; removing acked events keeps the rest of the entry", async () => {
    const outbox = new UsageOutbox(kv);
    await Promise.all(ids(120).map((id) => outbox.append(event(id))));
    const first = await outbox.peek(10);
    expect(first.map((p) => p.eventId)).toEqual(ids(10));
    // Ack every other one of those ten.
    await outbox.remove(first.filter((_, i) => i % 2 === 0));
    const left = (await outbox.peek(500)).map((p) => p.eventId);
    expect(left).toEqual([...ids(10).filter((_, i) => i % 2 === 1), ...ids(110, 10)]);
    await outbox.remove(await outbox.peek(500));
    expect(await outbox.size()).toBe(0);
    expect(await entries()).toBe(0);
  });

  test("after a restart the stored backlog goes out first, then new events, and memory and KV agree", async () => {
    const before = new UsageOutbox(kv);
    await Promise.all(ids(30).map((id) => before.append(event(id))));
    // A new process over the same file: its memory is empty, KV has the 30.
    const after = new UsageOutbox(kv);
    await after.append(event("evt_new1"));
    const first = await after.peek(500);
    expect(first.map((p) => p.eventId)).toEqual([...ids(30), "evt_new1"]);
    await after.remove(first);
    await Promise.all(ids(20, 100).map((id) => after.append(event(id))));
    const second = await after.peek(500); // from memory by now
    expect(second.map((p) => p.eventId)).toEqual(ids(20, 100));
    expect(second.map((p) => JSON.parse(p.json).eventId)).toEqual(ids(20, 100));
    // What memory says is what a reader of the file sees.
    expect((await new UsageOutbox(kv).peek(500)).map((p) => p.json)).toEqual(second.map((p) => p.json));
    await after.remove(second.filter((_, i) => i >= 5));
    expect((await after.peek(500)).map((p) => p.eventId)).toEqual(ids(5, 100));
    expect((await new UsageOutbox(kv).peek(500)).map((p) => p.eventId)).toEqual(ids(5, 100));
  });

  test("a backlog larger than a batch is sent from memory once KV shows nothing memory lacks", async () => {
    const outbox = new UsageOutbox(kv);
    await Promise.all(ids(1_200).map((id) => outbox.append(event(id))));
    let lists = 0;
    const list = kv.list.bind(kv);
    (kv as { list: typeof kv.list }).list = ((...args: Parameters<typeof kv.list>) => {
      lists++;
      return list(...args);
    }) as typeof kv.list;
    const first = await outbox.peek(500); // KV: this process has not seen KV yet
    expect(lists).toBe(1);
    await outbox.remove(first);
    const second = await outbox.peek(500); // memory
    expect(lists).toBe(1);
    expect([...first, ...second].map((p) => p.eventId)).toEqual(ids(first.length + second.length));
    (kv as { list: typeof kv.list }).list = list;
  });

  test("forget hides acknowledged events at once; KV loses them at commitRemovals", async () => {
    const outbox = new UsageOutbox(kv);
    await Promise.all(ids(40).map((id) => outbox.append(event(id))));
    const batch = await outbox.peek(500);
    await outbox.forget(batch.slice(0, 30));
    await outbox.forget((await outbox.peek(500)).slice(0, 5)); // a second partial ack of the same entry
    expect((await outbox.peek(500)).map((p) => p.eventId)).toEqual(ids(5, 35));
    expect(await outbox.size()).toBe(40); // not yet written: a crash now means a harmless re-send
    await outbox.commitRemovals();
    expect(await outbox.size()).toBe(5);
    expect((await new UsageOutbox(kv).peek(500)).map((p) => p.eventId)).toEqual(ids(5, 35));
  });

  test("events with characters beyond Latin-1 fit the KV value limit and read back exactly", async () => {
    const outbox = new UsageOutbox(kv);
    const wide = (id: string) => ({ eventId: id, alias: "☕é😀".repeat(150) }) as unknown as UsageEvent;
    await Promise.all(ids(300).map((id) => outbox.append(wide(id)))); // ~180 kB of 3- and 4-byte UTF-8
    const reread = await new UsageOutbox(kv).peek(500);
    expect(reread.map((p) => p.eventId)).toEqual(ids(300));
    expect(reread.every((p) => JSON.parse(p.json).alias === "☕é😀".repeat(150))).toBe(true);
  });

  test("entries from older builds (one event object) and unreadable ones are handled", async () => {
    await kv.set(["outbox", "000000000000001:evt_old"], JSON.stringify(event("evt_old")));
    await kv.set(["outbox", "000000000000002:evt_torn"], '{"eventId":"evt_to');
    const outbox = new UsageOutbox(kv);
    await outbox.append(event("evt_new"));
    const pending = await outbox.peek(10);
    expect(pending.map((p) => p.eventId)).toEqual(["evt_old", "evt_new"]);
    expect(await entries()).toBe(2); // the torn one is gone
    await outbox.remove(pending);
    expect(await outbox.size()).toBe(0);
  });

  test("entries are stored zstd-compressed; plain UTF-8 entries from the previous build are still read", async () => {
    await kv.set(["outbox", "000000000000001:evt_plain"], new TextEncoder().encode(`[${JSON.stringify(event("evt_plain"))}]`));
    const outbox = new UsageOutbox(kv);
    await Promise.all(ids(20, 900).map((id) => outbox.append(event(id))));
    const stored: Uint8Array[] = [];
    for await (const entry of kv.list<Uint8Array>({ prefix: ["outbox"] })) if (entry.key[1] !== "000000000000001:evt_plain") stored.push(entry.value);
    expect(stored.length).toBeGreaterThan(0);
    for (const value of stored) expect([...value.slice(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    const json = JSON.stringify(ids(20, 900).map(event));
    expect(stored.reduce((n, v) => n + v.length, 0)).toBeLessThan(json.length / 5);
    // A fresh outbox (a restart) reads both kinds back from KV.
    expect((await new UsageOutbox(kv).peek(100)).map((p) => p.eventId)).toEqual(["evt_plain", ...ids(20, 900)]);
  });

  test("one flush sends a backlog of several batches, none over the batch limit, each event once", async () => {
    const outbox = new UsageOutbox(kv);
    await Promise.all(ids(1_200).map((id) => outbox.append(event(id))));
    const ingest = startUsageAckServer();
    const flusher = startFlusher({ outbox, controlPlaneUrl: ingest.url, regionToken: "t", proxyId: "prx_test", intervalMs: 60_000, log: () => {} });
    expect(await flusher.flushNow()).toBe(true);
    await flusher.stop();
    await ingest.stop();
    const batches = ingest.batches.map((batch) => batch.map((e) => e.eventId));
    expect(batches.length).toBeGreaterThan(2);
    expect(batches.every((b) => b.length > 0 && b.length <= MAX_USAGE_BATCH)).toBe(true);
    expect(batches.flat()).toEqual(ids(1_200));
    expect(await outbox.size()).toBe(0);
  });
});
