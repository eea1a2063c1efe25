import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
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

  test("concurrent appends all land, in order, sharing entries", async () => {
    const outbox = new UsageOutbox(kv);
    await Promise.all(ids(300).map((id) => outbox.append(event(id))));
    expect(await outbox.size()).toBe(300);
    expect(await entries()).toBeLessThan(30);
    expect((await outbox.peek(500)).map((p) => p.event.eventId)).toEqual(ids(300));
    // Reopened from disk, the same events are there: they were committed before append resolved.
    kv.close();
    kv = await openProxyKv(dir);
    expect(await new UsageOutbox(kv).size()).toBe(300);
  });

  test("a lone append is committed once the short grouping delay is over", async () => {
    const outbox = new UsageOutbox(kv);
    const started = performance.now();
    await outbox.append(event("evt_alone"));
    expect(performance.now() - started).toBeLessThan(200);
    expect(await entries()).toBe(1);
  });

  test("a full group is committed without waiting out the delay", async () => {
    const outbox = new UsageOutbox(kv, { maxDelayMs: 60_000, groupEvents: 10 });
    const started = performance.now();
    await Promise.all(ids(10).map((id) => outbox.append(event(id))));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await entries()).toBe(1);
  });

  test("peek stops at its limit inside an entry; removing acked events keeps the rest of the entry", async () => {
    const outbox = new UsageOutbox(kv);
    await Promise.all(ids(120).map((id) => outbox.append(event(id))));
    const first = await outbox.peek(10);
    expect(first.map((p) => p.event.eventId)).toEqual(ids(10));
    // Ack every other one of those ten.
    await outbox.remove(first.filter((_, i) => i % 2 === 0));
    const left = (await outbox.peek(500)).map((p) => p.event.eventId);
    expect(left).toEqual([...ids(10).filter((_, i) => i % 2 === 1), ...ids(110, 10)]);
    await outbox.remove(await outbox.peek(500));
    expect(await outbox.size()).toBe(0);
    expect(await entries()).toBe(0);
  });

  test("entries from older builds (one event object) and unreadable ones are handled", async () => {
    await kv.set(["outbox", "000000000000001:evt_old"], JSON.stringify(event("evt_old")));
    await kv.set(["outbox", "000000000000002:evt_torn"], '{"eventId":"evt_to');
    const outbox = new UsageOutbox(kv);
    await outbox.append(event("evt_new"));
    const pending = await outbox.peek(10);
    expect(pending.map((p) => p.event.eventId)).toEqual(["evt_old", "evt_new"]);
    expect(await entries()).toBe(2); // the torn one is gone
    await outbox.remove(pending);
    expect(await outbox.size()).toBe(0);
  });
});
