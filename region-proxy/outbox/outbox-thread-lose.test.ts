/**
 * Events whose KV commit fails (a full disk: "disk I/O error" and a multi-line Rust backtrace) are
 * logged as one line per lost batch, with the error's first line and at most 20 of their ids, not one
 * line with the whole backtrace per event; each is still counted in droppedEvents.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { closedUrl } from "../../test/support/ports.ts";
import { waitFor } from "../testing/proxy-fixture.ts";
import { startOutboxThread } from "./outbox-thread.ts";

const event = (i: number) => ({ eventId: `evt_full_${i}`, requestId: `req_full_${i}` }) as unknown as UsageEvent;
const dataDir = mkdtempSync(join(tmpdir(), "outbox-lose-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test("a failed commit of 50 events logs one line: the count, the error's first line, the first 20 ids and how many more; all 50 are counted", async () => {
  const logs: string[] = [];
  const diskFull = new URL("../testing/disk-full-outbox-worker.ts", import.meta.url);
  const thread = await startOutboxThread({ dataDir, controlPlaneUrl: closedUrl(), regionToken: "t", proxyId: "prx_full", flushIntervalMs: 60_000 }, (l) => logs.push(l), { workerScript: diskFull });
  try {
    for (let i = 0; i < 49; i++) thread.record(event(i));
    const last = await thread.append(event(49)).then(() => null, (error: Error) => error.message);
    expect(last).toStartWith("disk I/O error");
    await waitFor(() => thread.status().droppedEvents === 50, "50 counted as dropped");
    const lines = logs.filter((l) => l.includes("could not be written"));
    expect(lines).toHaveLength(1);
    const [line] = lines as [string];
    expect(line).toContain("50 ");
    expect(line).toContain("disk I/O error");
    expect(line).not.toContain("Stack backtrace");
    expect(line).not.toContain("\n");
    for (let i = 0; i < 20; i++) expect(line).toContain(`req_full_${i} (evt_full_${i})`);
    expect(line).not.toContain("evt_full_20");
    expect(line).toContain("and 30 more");
    expect(logs.some((l) => l.includes("Stack backtrace"))).toBe(false);

    // A lost batch of one still reads as the usual one-event line, without the backtrace.
    await thread.append(event(50)).catch(() => {});
    await waitFor(() => thread.status().droppedEvents === 51, "the 51st counted");
    expect(logs).toContain("request req_full_50: usage event evt_full_50 could not be written: disk I/O error");
  } finally {
    await thread.stop();
  }
});
