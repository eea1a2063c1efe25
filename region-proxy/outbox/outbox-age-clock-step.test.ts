/**
 * Review rg #2: the outbox's age (x-usage-outbox-oldest-age-ms, 0 = "nothing unshipped") is a wall-clock
 * difference clamped at 0. A backlog written while the proxy's clock was ahead (corrected by NTP at the
 * restart) reads as age 0: the proxy tells the control plane it has drained while it holds unshipped
 * usage, and region-heard.repo.ts then counts the region as heard from (its lapsed grant released).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openProxyKv } from "../kv/open-kv.ts";
import { startOutboxThread } from "./outbox-thread.ts";
import { closedUrl } from "../../test/support/ports.ts";

const root = mkdtempSync(join(tmpdir(), "rv-rg-age-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("a stored backlog is never reported as 'nothing unshipped' (age 0), whatever the clock did", async () => {
  const dataDir = join(root, "d");
  const kv = await openProxyKv(dataDir);
  // Written by the previous run, whose clock was 10 minutes ahead.
  const then = Date.now() + 10 * 60_000;
  await kv.set(["outbox", `${String(then).padStart(15, "0")}:000001:evt_old`], JSON.stringify([{ eventId: "evt_old", requestId: "req_old" }]));
  kv.close();
  const thread = await startOutboxThread({ dataDir, controlPlaneUrl: closedUrl(), regionToken: "t", proxyId: "p", flushIntervalMs: 60_000 }, () => {});
  try {
    expect(thread.status().storedEvents).toBe(1);
    expect(thread.oldestUnshippedAgeMs()).toBeGreaterThan(0);
    // Stored before this run: it counts from the open at the latest, and ages from there.
    await Bun.sleep(60);
    expect(thread.oldestUnshippedAgeMs()).toBeGreaterThanOrEqual(60);
  } finally {
    await thread.stop();
  }
});
