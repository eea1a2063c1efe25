/**
 * An outbox entry that cannot be read (a bad sector, a torn page, a newer format after a downgrade) is
 * never lost silently: it is moved to the quarantine prefix with its bytes (so it stops blocking the
 * queue), logged with its key, its size and the event ids that can still be read from it, and counted
 * (`corruptEntries`, which /health serves).
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
import { startUsageAckServer } from "../testing/usage-ack-server.ts";
import { startFlusher } from "./flusher.ts";
import { startOutboxThread } from "./outbox-thread.ts";
import { QUARANTINE_PREFIX, UsageOutbox } from "./outbox.ts";

const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const jsonOf = (id: string) => JSON.stringify({ eventId: id, requestId: `req_${id}`, costMicros: 1000 });

/** Flips bytes inside the zstd frame of the one entry under ["outbox"]: it no longer decompresses. */
async function corruptOnlyEntry(kv: Kv): Promise<{ key: string; bytes: Uint8Array }> {
  const [entry] = await Array.fromAsync(kv.list<Uint8Array>({ prefix: ["outbox"] }));
  const bytes = new Uint8Array(entry!.value);
  for (let i = 20; i < bytes.length - 8; i += 7) bytes[i]! ^= 0xff;
  await kv.set(entry!.key, bytes);
  return { key: entry!.key[1] as string, bytes };
}

const keysUnder = async (kv: Kv, prefix: string) => (await Array.fromAsync(kv.list({ prefix: [prefix] }))).map((e) => e.key[1] as string);

describe("unreadable outbox entries", () => {
  let dir: string;
  let kv: Kv;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "outbox-corrupt-"));
    kv = await openProxyKv(dir);
  });
  afterEach(() => {
    kv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("found when the outbox opens: moved to quarantine with its bytes, logged with key and size, counted", async () => {
    const writer = new UsageOutbox(kv, { maxDelayMs: 0 });
    await writer.appendMany(ids(500, "evt_c"), ids(500, "evt_c").map(jsonOf));
    const { key, bytes } = await corruptOnlyEntry(kv);
    await writer.append({ eventId: "evt_good" } as unknown as UsageEvent);

    const lines: string[] = [];
    const outbox = await UsageOutbox.open(kv, { maxStoredEvents: 1000, log: (l) => lines.push(l) });
    expect(outbox.storedEvents()).toBe(1);
    expect(outbox.corruptEntries()).toBe(1);
    expect(await keysUnder(kv, "outbox")).not.toContain(key);
    const quarantined = await kv.get<Uint8Array>([QUARANTINE_PREFIX, key]);
    expect([...new Uint8Array(quarantined.value!)]).toEqual([...bytes]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(key);
    expect(lines[0]).toContain(`${bytes.length} bytes`);
    expect(lines[0]).toContain(QUARANTINE_PREFIX);

    // The queue moves: the good event goes out.
    expect((await outbox.peek(10)).map((p) => p.eventId)).toEqual(["evt_good"]);
    // A restart counts what is already in quarantine (an operator has not dealt with it yet) without logging it again.
    const again: string[] = [];
    expect((await UsageOutbox.open(kv, { log: (l) => again.push(l) })).corruptEntries()).toBe(1);
    expect(again).toEqual([]);
  });

  test("text that decompresses but does not parse: the event ids still in it are logged", async () => {
    const torn = `[${jsonOf("evt_t1")},${jsonOf("evt_t2")},{"eventId":"evt_t3","requestId":"req_`;
    await kv.set(["outbox", "000000000000001:000001:evt_t1"], Bun.zstdCompressSync(new TextEncoder().encode(torn)));
    const lines: string[] = [];
    const outbox = await UsageOutbox.open(kv, { log: (l) => lines.push(l) });
    expect(outbox.corruptEntries()).toBe(1);
    expect(lines).toHaveLength(1);
    for (const id of ["evt_t1", "evt_t2", "evt_t3"]) expect(lines[0]).toContain(id);
    expect(await keysUnder(kv, QUARANTINE_PREFIX)).toEqual(["000000000000001:000001:evt_t1"]);
  });

  test("found by the flusher (written after the outbox opened): quarantined, logged, counted; the others are sent", async () => {
    const lines: string[] = [];
    const counts: number[] = [];
    const outbox = await UsageOutbox.open(kv, { maxDelayMs: 0, log: (l) => lines.push(l), onCorrupt: (n) => counts.push(n) });
    // Another entry the mirror does not hold (as after an overflow), unreadable.
    await kv.set(["outbox", "000000000000001:000001:evt_x"], new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5, 6]));
    await outbox.appendMany(["evt_ok1", "evt_ok2"], ["evt_ok1", "evt_ok2"].map(jsonOf));
    const ingest = startUsageAckServer();
    const flushLog: string[] = [];
    const flusher = startFlusher({ outbox, controlPlaneUrl: ingest.url, regionToken: "t", proxyId: "p", intervalMs: 60_000, log: (l) => flushLog.push(l) });
    // The mirror holds the two good events only; the KV read that finds the bad one happens once the mirror is empty.
    expect(await flusher.flushNow()).toBe(true);
    expect(await flusher.flushNow()).toBe(true);
    await flusher.stop();
    await ingest.stop();
    expect(ingest.batches.flat().map((e) => e.eventId)).toEqual(["evt_ok1", "evt_ok2"]);
    expect(await keysUnder(kv, "outbox")).toEqual([]);
    expect(await keysUnder(kv, QUARANTINE_PREFIX)).toEqual(["000000000000001:000001:evt_x"]);
    expect(outbox.corruptEntries()).toBe(1);
    expect(counts).toEqual([1]);
    expect(lines.some((l) => l.includes("000000000000001:000001:evt_x") && l.includes("10 bytes"))).toBe(true);
  });
});

test("the outbox thread reports corrupt entries in its status (what /health serves) and logs them", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "outbox-corrupt-thread-"));
  const kv = await openProxyKv(dataDir);
  const writer = new UsageOutbox(kv, { maxDelayMs: 0 });
  await writer.appendMany(ids(300, "evt_q"), ids(300, "evt_q").map(jsonOf));
  const { key } = await corruptOnlyEntry(kv);
  kv.close();
  const logs: string[] = [];
  const thread = await startOutboxThread({ dataDir, controlPlaneUrl: "http://127.0.0.1:9", regionToken: "t", proxyId: "p", flushIntervalMs: 60_000 }, (l) => logs.push(l));
  try {
    expect(thread.status().corruptEntries).toBe(1);
    expect(thread.status().storedEvents).toBe(0);
    expect(logs.some((l) => l.includes(key) && l.includes(QUARANTINE_PREFIX))).toBe(true);
  } finally {
    await thread.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
