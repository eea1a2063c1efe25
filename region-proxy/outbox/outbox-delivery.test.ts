import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { USAGE_PATH } from "../../shared/internal-api.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { startSnapshotOrigin } from "../../test/support/snapshot-origin.ts";
import { openProxyKv } from "../kv/open-kv.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { startUsageAckServer } from "../testing/usage-ack-server.ts";
import { startFlusher } from "./flusher.ts";
import { UsageOutbox } from "./outbox.ts";

let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
});
afterAll(() => fx.cleanup());

const messages = [{ role: "user" as const, content: "count me" }];

describe("usage outbox", () => {
  test("keeps events while the control plane is down and delivers each once when it is back", async () => {
    const proxy = await fx.startProxy();
    const client = fx.client(proxy);
    await client.chat.completions.create({ model: "chat", messages });
    await waitFor(() => fx.origin.events().length === 1, "first event delivered");

    const port = fx.origin.port;
    const state = fx.origin.state;
    await fx.origin.stop();
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: "chat", messages });
    await waitFor(() => fx.logs.filter((l) => l.startsWith("usage flush failed")).length >= 2, "failed flushes while down");
    expect(state.events.size).toBe(1);

    const back = await startSnapshotOrigin({ regionTokens: { [fx.regionToken]: "eu" }, port, state });
    fx.origin.stop = back.stop; // so cleanup stops the new one
    await waitFor(() => state.events.size === 4, "the three kept events delivered", 40_000);
    await Bun.sleep(300);
    expect([...state.deliveries.values()].every((n) => n === 1)).toBe(true);
    expect(state.events.size).toBe(4);

    await proxy.stop();
    const kv = await openProxyKv(fx.dataDir);
    expect(await new UsageOutbox(kv).size()).toBe(0);
    kv.close();
  }, 60_000);

  test("stop() flushes what the interval has not sent yet", async () => {
    const proxy = await fx.startProxy({ usageFlushMs: 60_000 });
    const before = fx.origin.state.events.size;
    await fx.client(proxy).chat.completions.create({ model: "chat", messages });
    await Bun.sleep(50);
    expect(fx.origin.state.events.size).toBe(before);
    await proxy.stop();
    expect(fx.origin.state.events.size).toBe(before + 1);
  });

  test("only acknowledged ids leave the outbox", async () => {
    const dir = mkdtempSync(join(tmpdir(), "outbox-"));
    const kv = await openProxyKv(dir);
    const outbox = new UsageOutbox(kv);
    const event = (id: string) => ({ eventId: id }) as UsageEvent;
    for (const id of ["evt_a", "evt_b", "evt_c"]) await outbox.append(event(id));
    const ingest = startUsageAckServer({ ack: () => ["evt_b"] });
    const flusher = startFlusher({ outbox, controlPlaneUrl: ingest.url, regionToken: "t", proxyId: "prx_test", intervalMs: 60_000, log: () => {} });
    await flusher.flushNow();
    await flusher.stop();
    expect(ingest.paths[0]).toBe(USAGE_PATH);
    expect(ingest.batches[0]!.map((e) => e.eventId)).toEqual(["evt_a", "evt_b", "evt_c"]);
    expect((await outbox.peek(10)).map((p) => p.eventId)).toEqual(["evt_a", "evt_c"]);
    await ingest.stop();
    kv.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
