/**
 * e46c4f1's age clamp counted every entry keyed no later than the newest found at open from the open at
 * the latest. After the very case it was written for (the previous run's clock ahead, corrected at the
 * restart) this run's keys, with a sane clock, are EARLIER than the old ones and were clamped too: once
 * the old backlog shipped, an event written a moment ago read as waiting since the open, so under steady
 * traffic x-usage-outbox-oldest-age-ms grew from the open and /health degraded after 5 minutes while
 * shipping worked. Only entries stored before the open are clamped now; this run's age from their own
 * key, in the mirror or past it (an overflow). (Review frb 2; outbox-age-clock-step.test.ts keeps the
 * clamp of the earlier run's backlog.)
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openProxyKv } from "../kv/open-kv.ts";
import { UsageOutbox } from "./outbox.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";

const root = mkdtempSync(join(tmpdir(), "outbox-age-step-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A KV holding one entry the previous run wrote with its clock 10 minutes ahead. */
async function kvWithBacklogAhead(name: string) {
  const kv = await openProxyKv(join(root, name));
  const ahead = Date.now() + 10 * 60_000;
  await kv.set(["outbox", `${String(ahead).padStart(15, "0")}:000001:evt_old`], JSON.stringify([{ eventId: "evt_old", requestId: "req_old" }]));
  return kv;
}

test("an event this run wrote after the step is aged from its own commit, not from the open", async () => {
  const kv = await kvWithBacklogAhead("mirrored");
  try {
    const outbox = await UsageOutbox.open(kv, { maxDelayMs: 0 });
    const openedAt = Date.now();
    // The earlier run's backlog counts from the open at the latest.
    expect(outbox.oldestStoredAt()!).toBeLessThanOrEqual(openedAt);
    await Bun.sleep(300);
    const written = Date.now();
    await outbox.append({ eventId: "evt_new", requestId: "req_new" } as unknown as UsageEvent);
    // The old backlog ships; only the new event is left.
    const pending = await outbox.peek(10);
    await outbox.remove(pending.filter((p) => p.eventId === "evt_old"));
    expect(outbox.oldestStoredAt()!).toBeGreaterThanOrEqual(written - 5);
  } finally {
    kv.close();
  }
});

test("this run's events past a mirror overflow are aged from their own commit too", async () => {
  const kv = await kvWithBacklogAhead("overflow");
  try {
    const outbox = await UsageOutbox.open(kv, { maxDelayMs: 0 });
    await Bun.sleep(300);
    const written = Date.now();
    // More than the mirror holds (20,000): batches come from KV again.
    const ids = Array.from({ length: 20_500 }, (_, i) => `evt_${i}`);
    await outbox.appendMany(ids, ids.map((eventId) => JSON.stringify({ eventId })));
    // Keyed before the old entry (the clock is behind it): it comes last.
    const pending = await outbox.peek(25_000);
    expect(pending.at(-1)!.eventId).toBe("evt_old");
    await outbox.remove(pending.filter((p) => p.eventId === "evt_old"));
    expect(outbox.oldestStoredAt()!).toBeGreaterThanOrEqual(written - 5);
  } finally {
    kv.close();
  }
});
