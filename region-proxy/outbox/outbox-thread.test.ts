import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { openProxyKv } from "../kv/open-kv.ts";
import { waitFor } from "../testing/proxy-fixture.ts";
import { closedUrl } from "../../test/support/ports.ts";
import { startUsageAckServer, type UsageAckServer } from "../testing/usage-ack-server.ts";
import { startOutboxThread } from "./outbox-thread.ts";
import { UsageOutbox } from "./outbox.ts";

const event = (id: string, requestId = `req_for_${id}`) => ({ eventId: id, requestId, note: "line one\nline two" }) as unknown as UsageEvent;
/** A control plane that is down: a port probed free and closed (port 9 may be taken, or answer, on a CI machine). */
const DOWN = closedUrl();

let root: string;
let ingest: UsageAckServer;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "outbox-thread-"));
  ingest = startUsageAckServer();
});
afterAll(async () => {
  await ingest.stop();
  rmSync(root, { recursive: true, force: true });
});

async function storedIds(dataDir: string): Promise<string[]> {
  const kv = await openProxyKv(dataDir);
  const ids = (await new UsageOutbox(kv).peek(10_000)).map((p) => p.eventId);
  kv.close();
  return ids;
}

const init = (dataDir: string, controlPlaneUrl: string, flushIntervalMs: number) => ({ dataDir, controlPlaneUrl, regionToken: "t", proxyId: "prx_test", flushIntervalMs });

describe("usage outbox thread", () => {
  test("an append resolves once committed; the thread ships every event and KV ends empty", async () => {
    const dataDir = join(root, "ships");
    const thread = await startOutboxThread(init(dataDir, ingest.url, 50), () => {});
    const ids = Array.from({ length: 700 }, (_, i) => `evt_ship_${i}`);
    await Promise.all(ids.map((id) => thread.append(event(id))));
    const shipped = () => ingest.batches.flat().filter((e) => e.eventId.startsWith("evt_ship_")) as unknown as { eventId: string; note: string }[];
    await waitFor(() => new Set(shipped().map((e) => e.eventId)).size === ids.length, "all 700 shipped");
    await thread.stop();
    expect(shipped().length).toBe(ids.length);
    // Events cross the thread boundary joined by newlines: newlines inside an event survive as they were.
    expect(shipped().every((e) => e.note === "line one\nline two")).toBe(true);
    expect(await storedIds(dataDir)).toEqual([]);
  });

  test("with the control plane down, stop() leaves every appended event committed in KV", async () => {
    const dataDir = join(root, "down");
    const logs: string[] = [];
    const thread = await startOutboxThread(init(dataDir, DOWN, 60_000), (line) => logs.push(line));
    await Promise.all(["evt_a", "evt_b", "evt_c"].map((id) => thread.append(event(id))));
    await thread.stop();
    expect((await storedIds(dataDir)).sort()).toEqual(["evt_a", "evt_b", "evt_c"]);
    expect(logs.some((line) => line.startsWith("usage flush failed"))).toBe(true);
  });

  test("recorded events, which nobody waits for, are all committed by stop() (control plane down)", async () => {
    const dataDir = join(root, "recorded");
    const thread = await startOutboxThread(init(dataDir, DOWN, 60_000), () => {});
    for (const id of ["evt_r1", "evt_r2", "evt_r3"]) thread.record(event(id));
    await thread.stop();
    expect((await storedIds(dataDir)).sort()).toEqual(["evt_r1", "evt_r2", "evt_r3"]);
  });

  test("an event handed over after stop() is refused and logged, not queued for a thread that will never take it", async () => {
    const dataDir = join(root, "after-stop");
    const logs: string[] = [];
    const thread = await startOutboxThread(init(dataDir, DOWN, 60_000), (line) => logs.push(line));
    await thread.stop();
    thread.record(event("evt_late1", "req_late1"));
    await expect(thread.append(event("evt_late2", "req_late2"))).rejects.toThrow("the usage outbox has stopped");
    expect(logs.filter((line) => line.includes("has stopped"))).toEqual([
      "request req_late1: usage event evt_late1 could not be written: the usage outbox has stopped",
      "request req_late2: usage event evt_late2 could not be written: the usage outbox has stopped",
    ]);
  });

  test("a recorded event that cannot be written is logged with its request and event ids: dropped at the cap, or never confirmed by stop()", async () => {
    const dataDir = join(root, "recorded-lost");
    const logs: string[] = [];
    const crashing = new URL("../testing/crash-always-outbox-worker.ts", import.meta.url);
    const thread = await startOutboxThread(init(dataDir, DOWN, 60_000), (line) => logs.push(line), { workerScript: crashing, maxUnconfirmedEvents: 2 });
    thread.record(event("evt_l1", "req_l1"));
    thread.record(event("evt_l2", "req_l2"));
    thread.record(event("evt_l3", "req_l3"));
    expect(logs).toContain("request req_l3: usage event evt_l3 could not be written: the usage outbox thread has 2 events it has not confirmed; this one is dropped");
    await waitFor(() => logs.filter((line) => line.includes("exited; restarting")).length >= 2, "the thread died more than once");
    await thread.stop();
    // Handed over together, lost together: one line for the batch, with both ids.
    const lost = logs.filter((line) => line.includes("could not be written: the usage outbox stopped before these events were committed"));
    expect(lost).toEqual(["usage: 2 events could not be written: the usage outbox stopped before these events were committed; requests (event ids): req_l1 (evt_l1), req_l2 (evt_l2)"]);
    expect(thread.status().droppedEvents).toBe(3);
  });

  test("a thread that dies is replaced, and the events it never confirmed are committed by the next", async () => {
    const dataDir = join(root, "crash");
    const logs: string[] = [];
    const crashing = new URL("../testing/crash-once-outbox-worker.ts", import.meta.url);
    const thread = await startOutboxThread(init(dataDir, DOWN, 60_000), (line) => logs.push(line), { workerScript: crashing });
    await Promise.all(["evt_x", "evt_y"].map((id) => thread.append(event(id))));
    expect(logs.some((line) => line.includes("exited; restarting"))).toBe(true);
    await thread.append(event("evt_z"));
    await thread.stop();
    expect([...new Set(await storedIds(dataDir))].sort()).toEqual(["evt_x", "evt_y", "evt_z"]);
  });

  test("a malformed reply from the thread replaces it, and the batch it may have confirmed is committed by the next", async () => {
    const dataDir = join(root, "garbled");
    const logs: string[] = [];
    const garbling = new URL("../testing/garble-reply-once-outbox-worker.ts", import.meta.url);
    const thread = await startOutboxThread(init(dataDir, DOWN, 60_000), (line) => logs.push(line), { workerScript: garbling });
    // Resolves only because the batch whose confirmation was lost is sent again to the new thread.
    await Promise.all(["evt_g1", "evt_g2"].map((id) => thread.append(event(id))));
    expect(logs.some((line) => line.includes("sent a malformed message (null); replacing the thread"))).toBe(true);
    expect(logs.some((line) => line.includes("exited; restarting"))).toBe(true);
    await thread.append(event("evt_g3"));
    await thread.stop();
    expect([...new Set(await storedIds(dataDir))].sort()).toEqual(["evt_g1", "evt_g2", "evt_g3"]);
  });

  test("the thread leaves on a malformed message instead of dropping what it may have carried", async () => {
    const worker = new Worker(new URL("./outbox-worker.ts", import.meta.url).href);
    const lines: string[] = [];
    const closed = new Promise<void>((resolve) => worker.addEventListener("close", () => resolve()));
    worker.onmessage = (event: MessageEvent<{ type: string; line?: string }>) => {
      if (event.data.type === "listening") worker.postMessage(null);
      if (event.data.type === "log") lines.push(event.data.line!);
    };
    await closed;
    expect(lines.some((line) => line.includes("received a malformed message (null)"))).toBe(true);
  });

  test("while the thread cannot confirm anything, appends beyond the cap are refused instead of piling up", async () => {
    const dataDir = join(root, "always-crash");
    const logs: string[] = [];
    const crashing = new URL("../testing/crash-always-outbox-worker.ts", import.meta.url);
    const thread = await startOutboxThread(init(dataDir, DOWN, 60_000), (line) => logs.push(line), { workerScript: crashing, maxUnconfirmedEvents: 5 });
    const held = Array.from({ length: 5 }, (_, i) => thread.append(event(`evt_held_${i}`)).catch((error: Error) => error));
    await expect(thread.append(event("evt_over"))).rejects.toThrow(/not confirmed; this one is dropped/);
    await waitFor(() => logs.filter((line) => line.includes("exited; restarting")).length >= 2, "the thread died more than once");
    await thread.stop();
    // stop() gives up on what was never confirmed: each held append fails, none hangs.
    for (const outcome of await Promise.all(held)) expect(outcome).toBeInstanceOf(Error);
    // No thread comes back after stop(), not even one whose restart was already under way: a new
    // thread would open KV again and recreate the data dir.
    rmSync(dataDir, { recursive: true, force: true });
    await Bun.sleep(1_000);
    expect(existsSync(dataDir)).toBe(false);
  });

  test("a thread that dies while starting fails the start instead of hanging it", async () => {
    const dying = new URL("../testing/exit-at-start-outbox-worker.ts", import.meta.url);
    await expect(startOutboxThread(init(join(root, "dies"), DOWN, 60_000), () => {}, { workerScript: dying })).rejects.toThrow(/exited while starting/);
  });

  test("a data dir that cannot be opened fails the start", async () => {
    const file = join(root, "not-a-dir");
    await Bun.write(file, "x");
    await expect(startOutboxThread(init(file, DOWN, 60_000), () => {})).rejects.toThrow(/usage outbox/);
  });
});
