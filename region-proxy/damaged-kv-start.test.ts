/**
 * A proxy whose proxy.kv was damaged while it was down (cut in half, pages overwritten, its header
 * zeroed) starts all the same: it serves, the damaged file is kept aside, its log says so, and the
 * usage it could salvage from that file reaches the control plane. Before, the start threw "database
 * disk image is malformed" or the process aborted in Deno KV's native layer, on every restart.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createOriginState, startSnapshotOrigin } from "../test/support/snapshot-origin.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "./testing/proxy-fixture.ts";

let fx: ProxyFixture;
let jws: string;
beforeAll(async () => {
  fx = await createProxyFixture();
  jws = await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

const chat = (url: string) =>
  fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}` }, body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "x".repeat(500) }] }) });

for (const how of ["truncated", "torn pages", "header zeroed"] as const) {
  test(`proxy.kv damaged (${how}) at start: the proxy starts and serves, the file is kept aside and logged, salvaged usage is delivered`, async () => {
    // A control plane of this test's own, stopped while the first proxy runs so that its usage stays in the
    // outbox, then brought back with the same state (what it had received). On port 0 each time, not a fixed
    // port: Bun.serve binds with SO_REUSEPORT, so two runs on one port share it and one gets the other's 503s;
    // the second proxy is handed the new origin's URL, so the port need not be the same.
    const state = createOriginState();
    let origin = await startSnapshotOrigin({ regionTokens: { [fx.regionToken]: REGION }, state });
    origin.publish(REGION, jws, 1);
    const dir = fx.freshDataDir();
    const first = await fx.startProxy({ dataDir: dir, controlPlaneUrl: origin.url, usageFlushMs: 60_000 });
    // Usage the control plane does not take: an outbox of a few dozen entries, as during an outage.
    const requestIds = new Set<string>();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 200; i++) {
          const response = await chat(first.url);
          expect(response.status).toBe(200);
          requestIds.add(response.headers.get("x-request-id")!);
          await response.arrayBuffer();
        }
      }),
    );
    // Committed (the outbox thread commits every 100 ms), then the control plane goes away: the stop's last flush fails.
    await Bun.sleep(300);
    await origin.stop();
    await first.stop();
    const deliveredBefore = new Set(state.events.keys());
    expect(deliveredBefore.size).toBeLessThan(requestIds.size / 2);

    const file = join(dir, "proxy.kv");
    if (how === "truncated") truncateSync(file, Math.floor(statSync(file).size / 2));
    else {
      const bytes = readFileSync(file);
      if (how === "torn pages") for (let i = 8192; i < bytes.length; i += 4096) bytes.fill(0x41, i, i + 200);
      else bytes.fill(0, 0, 100);
      writeFileSync(file, bytes);
    }
    const damaged = readFileSync(file);

    origin = await startSnapshotOrigin({ regionTokens: { [fx.regionToken]: REGION }, state });
    try {
      const logsBefore = fx.logs.length;
      const second = await fx.startProxy({ dataDir: dir, controlPlaneUrl: origin.url, usageFlushMs: 100 });
      const served = await chat(second.url);
      expect(served.status).toBe(200);
      const newRequest = served.headers.get("x-request-id")!;
      expect(((await (await fetch(`${second.url}/health`)).json()) as { status: string }).status).toBe("ok");

      const aside = readdirSync(dir).filter((name) => name.startsWith("proxy.kv.damaged-"));
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(dir, aside[0]!)).equals(damaged)).toBe(true);
      const lines = fx.logs.slice(logsBefore).filter((line) => line.includes("is damaged"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(join(dir, aside[0]!));
      const salvaged = Number(/(\d+) usage events salvaged/.exec(lines[0]!)?.[1] ?? 0);
      // What a cut keeps depends on where SQLite put the entries' pages (the unit test, kv/damaged-kv.test.ts, shows a partial salvage).
      if (how === "torn pages") expect(lines[0]).toContain("no usage event could be salvaged");

      // The salvaged events (some may have been delivered before) and the new one reach the control plane.
      const health = async () => ((await (await fetch(`${second.url}/health`)).json()) as { usageOutbox: { storedEvents: number } }).usageOutbox;
      await waitFor(async () => (await health()).storedEvents === 0 && [...state.events.values()].some((event) => event.requestId === newRequest), "the outbox shipped", 10_000);
      const deliveredNow = [...state.events.values()].filter((event) => !deliveredBefore.has(event.eventId) && event.requestId !== newRequest);
      expect(deliveredNow.length).toBeGreaterThanOrEqual(salvaged - deliveredBefore.size);
      expect(deliveredNow.length).toBeLessThanOrEqual(salvaged);
      expect(deliveredNow.every((event) => requestIds.has(event.requestId))).toBe(true);
      // Only the header was lost: every event of the first proxy reaches the control plane.
      if (how === "header zeroed") expect(new Set([...state.events.values()].map((event) => event.requestId))).toEqual(new Set([...requestIds, newRequest]));
      await second.stop();
    } finally {
      await origin.stop();
    }
  }, 60_000);
}
