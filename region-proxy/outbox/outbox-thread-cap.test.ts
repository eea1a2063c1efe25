import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { openProxyKv } from "../kv/open-kv.ts";
import { waitFor } from "../testing/proxy-fixture.ts";
import { closedUrl } from "../../test/support/ports.ts";
import { startUsageAckServer, type UsageAckServer } from "../testing/usage-ack-server.ts";
import { startOutboxThread } from "./outbox-thread.ts";
import { UsageOutbox } from "./outbox.ts";

const event = (i: number, tag: string) => ({ eventId: `evt_${tag}_${i}`, requestId: `req_${tag}_${i}`, pad: "x".repeat(300) }) as unknown as UsageEvent;
/** A control plane that is down: a port probed free and closed (port 9 may be taken, or answer, on a CI machine). */
const DOWN = closedUrl();
const CAP = 100;

let root: string;
let ingest: UsageAckServer;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "outbox-thread-cap-"));
  ingest = startUsageAckServer();
});
afterAll(async () => {
  await ingest.stop();
  rmSync(root, { recursive: true, force: true });
});

async function storedInKv(dataDir: string): Promise<number> {
  const kv = await openProxyKv(dataDir);
  const n = await new UsageOutbox(kv).size();
  kv.close();
  return n;
}

const init = (dataDir: string, controlPlaneUrl: string) => ({ dataDir, controlPlaneUrl, regionToken: "t", proxyId: "prx_test", flushIntervalMs: 50, maxStoredEvents: CAP });

describe("usage outbox thread, stored-events cap", () => {
  const dataDir = () => join(root, "capped");

  test("control plane down: events past the cap are refused, each logged with its ids and counted", async () => {
    const logs: string[] = [];
    const thread = await startOutboxThread(init(dataDir(), DOWN), (line) => logs.push(line));
    const results = await Promise.allSettled(Array.from({ length: 150 }, (_, i) => thread.append(event(i, "down"))));
    expect(results.slice(0, CAP).every((r) => r.status === "fulfilled")).toBe(true);
    expect(results.slice(CAP).every((r) => r.status === "rejected")).toBe(true);
    // Recorded (nobody waits) past the cap: refused and logged the same way.
    for (let i = 150; i < 160; i++) thread.record(event(i, "down"));
    await waitFor(() => thread.status().droppedEvents === 60, "60 refusals counted");
    for (let i = CAP; i < 160; i++) {
      expect(logs.filter((line) => line.startsWith(`request req_down_${i}: usage event evt_down_${i} could not be written: `) && line.includes("USAGE_OUTBOX_MAX_EVENTS"))).toHaveLength(1);
    }
    expect(logs.some((line) => line.includes("req_down_99:"))).toBe(false);
    expect(thread.status()).toMatchObject({ storedEvents: CAP, maxStoredEvents: CAP, droppedEvents: 60, corruptEntries: 0 });
    await thread.stop();
    expect(await storedInKv(dataDir())).toBe(CAP);
  });

  test("a restart counts what is stored: still full, the next event is refused", async () => {
    const logs: string[] = [];
    const thread = await startOutboxThread(init(dataDir(), DOWN), (line) => logs.push(line));
    expect(thread.status()).toMatchObject({ storedEvents: CAP, maxStoredEvents: CAP, droppedEvents: 0, corruptEntries: 0 });
    // (Not `expect(...).rejects`: Bun waits for the promise without letting the worker's reply in.)
    const refused = await thread.append(event(0, "again")).then(() => null, (error: Error) => error.message);
    expect(refused).toContain("USAGE_OUTBOX_MAX_EVENTS");
    expect(logs.some((line) => line.startsWith("request req_again_0: usage event evt_again_0 could not be written"))).toBe(true);
    await thread.stop();
    expect(await storedInKv(dataDir())).toBe(CAP);
  });

  test("once the control plane is back and the backlog ships, new events are accepted again", async () => {
    const thread = await startOutboxThread(init(dataDir(), ingest.url), () => {});
    await waitFor(() => thread.status().storedEvents === 0, "backlog shipped");
    const shipped = () => new Set(ingest.batches.flat().map((e) => e.eventId));
    expect(Array.from({ length: CAP }, (_, i) => `evt_down_${i}`).every((id) => shipped().has(id))).toBe(true);
    await Promise.all(Array.from({ length: 30 }, (_, i) => thread.append(event(i, "back"))));
    await waitFor(() => Array.from({ length: 30 }, (_, i) => `evt_back_${i}`).every((id) => shipped().has(id)), "new events shipped");
    expect(thread.status().droppedEvents).toBe(0);
    await thread.stop();
    expect(await storedInKv(dataDir())).toBe(0);
  });
});
