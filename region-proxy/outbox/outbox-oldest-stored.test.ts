/**
 * How far the outbox has drained (oldestStoredAt): what the snapshot poll reports as the age of the
 * oldest usage event not yet shipped (x-usage-outbox-oldest-age-ms), so the control plane can tell a busy
 * outbox (never empty, but holding only recent events) from one holding usage from before a lease
 * lapsed (control-plane/budgets/region-heard.repo.ts). Never later than the truth: from the mirror, and
 * from KV for entries outside it (stored before a restart).
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
import { UsageOutbox } from "./outbox.ts";
import { startOutboxThread } from "./outbox-thread.ts";

const event = (id: string) => ({ eventId: id, requestId: `req_${id}` }) as unknown as UsageEvent;

let dir: string;
let kv: Kv;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "outbox-oldest-"));
  kv = await openProxyKv(dir);
});
afterEach(() => {
  kv.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the oldest unacknowledged entry's time: null when empty, the first entry's while it waits, the next one's once it is acknowledged", async () => {
  const outbox = await UsageOutbox.open(kv, { maxDelayMs: 0 });
  expect(outbox.oldestStoredAt()).toBeNull();
  const before = Date.now();
  await outbox.append(event("evt_1"));
  const first = outbox.oldestStoredAt()!;
  expect(first).toBeGreaterThanOrEqual(before);
  await Bun.sleep(5);
  await outbox.append(event("evt_2"));
  expect(outbox.oldestStoredAt()).toBe(first);
  const [one] = await outbox.peek(1);
  await outbox.remove([one!]);
  expect(outbox.oldestStoredAt()).toBeGreaterThan(first);
  await outbox.remove(await outbox.peek(10));
  expect(outbox.oldestStoredAt()).toBeNull();
});

test("after a restart, the backlog stored before counts from its oldest entry until it is acknowledged", async () => {
  const earlier = await UsageOutbox.open(kv, { maxDelayMs: 0 });
  await earlier.append(event("evt_old_1"));
  const oldest = earlier.oldestStoredAt()!;
  await Bun.sleep(5);
  await earlier.append(event("evt_old_2"));
  const reopened = await UsageOutbox.open(kv, { maxDelayMs: 0 });
  expect(reopened.oldestStoredAt()).toBe(oldest);
  // New usage does not make the backlog look younger.
  await reopened.append(event("evt_new"));
  expect(reopened.oldestStoredAt()).toBe(oldest);
  // The flusher ships the oldest: KV is read again for what is left outside the mirror.
  const [first] = await reopened.peek(1);
  await reopened.remove([first!]);
  const next = reopened.oldestStoredAt()!;
  expect(next).toBeGreaterThan(oldest);
  await reopened.remove(await reopened.peek(10));
  expect(reopened.oldestStoredAt()).toBeNull();
});

test("the outbox thread's age: 0 when nothing waits, the oldest waiting event's age otherwise", async () => {
  kv.close();
  const thread = await startOutboxThread({ dataDir: dir, controlPlaneUrl: "http://127.0.0.1:9", regionToken: "t", proxyId: "p", flushIntervalMs: 3_600_000 }, () => {});
  try {
    expect(thread.oldestUnshippedAgeMs()).toBe(0);
    const handedAt = Date.now();
    await thread.append(event("evt_1"));
    await Bun.sleep(50);
    const age = thread.oldestUnshippedAgeMs();
    expect(age).toBeGreaterThanOrEqual(45);
    expect(age).toBeLessThanOrEqual(Date.now() - handedAt + 1);
  } finally {
    await thread.stop();
    kv = await openProxyKv(dir);
  }
});
