import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
import { UsageOutbox } from "./outbox.ts";

const event = (id: string) => ({ eventId: id, alias: "a".repeat(200) }) as unknown as UsageEvent;
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `evt_${String(from + i).padStart(4, "0")}`);
const jsons = (list: string[]) => list.map((id) => JSON.stringify(event(id)));

describe("UsageOutbox stored-events cap", () => {
  let dir: string;
  let kv: Kv;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "outbox-cap-"));
    kv = await openProxyKv(dir);
  });
  afterEach(() => {
    kv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("events past the cap are refused (the newest ones), the stored ones are kept", async () => {
    const outbox = await UsageOutbox.open(kv, { maxDelayMs: 0, maxStoredEvents: 50 });
    expect(await outbox.appendMany(ids(30), jsons(ids(30)))).toBe(0);
    // 20 places left: the first 20 of these are stored, the last 20 refused.
    expect(await outbox.appendMany(ids(40, 30), jsons(ids(40, 30)))).toBe(20);
    expect(outbox.storedEvents()).toBe(50);
    expect(await outbox.size()).toBe(50);
    const stored = (await outbox.peek(10_000)).map((p) => p.eventId);
    expect(stored).toEqual(ids(50));
    await expect(outbox.append(event("evt_more"))).rejects.toThrow(/holds 50 events/);
    expect(await outbox.size()).toBe(50);
  });

  test("acknowledged removals make room again", async () => {
    const outbox = await UsageOutbox.open(kv, { maxDelayMs: 0, maxStoredEvents: 10 });
    expect(await outbox.appendMany(ids(12), jsons(ids(12)))).toBe(2);
    await outbox.remove((await outbox.peek(10_000)).slice(0, 4));
    expect(outbox.storedEvents()).toBe(6);
    expect(await outbox.appendMany(ids(5, 100), jsons(ids(5, 100)))).toBe(1);
    expect(outbox.storedEvents()).toBe(10);
    expect(await outbox.size()).toBe(10);
  });

  test("a partial acknowledgement of an entry counts only the events removed", async () => {
    const outbox = await UsageOutbox.open(kv, { maxDelayMs: 0, maxStoredEvents: 100 });
    await outbox.appendMany(ids(20), jsons(ids(20))); // one entry
    const pending = await outbox.peek(10_000);
    await outbox.remove(pending.filter((_, i) => i % 2 === 0));
    expect(outbox.storedEvents()).toBe(10);
    expect(await outbox.size()).toBe(10);
    await outbox.remove((await outbox.peek(10_000)).slice(0, 3));
    expect(outbox.storedEvents()).toBe(7);
    expect(await outbox.size()).toBe(7);
  });

  test("a failed commit gives its places back", async () => {
    const outbox = await UsageOutbox.open(kv, { maxDelayMs: 0, maxStoredEvents: 10 });
    const atomic = kv.atomic.bind(kv);
    kv.atomic = () => {
      const op = atomic();
      op.commit = () => Promise.reject(new Error("disk full"));
      return op;
    };
    await expect(outbox.appendMany(ids(8), jsons(ids(8)))).rejects.toThrow("disk full");
    kv.atomic = atomic;
    expect(outbox.storedEvents()).toBe(0);
    expect(await outbox.appendMany(ids(10, 50), jsons(ids(10, 50)))).toBe(0);
  });

  test("a new outbox on the same KV counts what is stored once, at start", async () => {
    const before = await UsageOutbox.open(kv, { maxDelayMs: 0, maxStoredEvents: 1_000 });
    await before.appendMany(ids(700), jsons(ids(700))); // several entries
    const after = await UsageOutbox.open(kv, { maxDelayMs: 0, maxStoredEvents: 710 });
    expect(after.storedEvents()).toBe(700);
    expect(await after.appendMany(ids(20, 1_000), jsons(ids(20, 1_000)))).toBe(10);
    expect(await after.size()).toBe(710);
  });
});
