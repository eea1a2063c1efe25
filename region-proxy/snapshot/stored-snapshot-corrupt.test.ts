/**
 * A stored snapshot that cannot even be read (a corrupt KV value) is not served and does not stop the
 * proxy from starting: it is logged, and the proxy takes its snapshot from the control plane.
 */
import { afterAll, expect, test } from "bun:test";
import { openKv } from "@deno/kv";
import { join } from "node:path";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture | undefined;
afterAll(() => fx?.cleanup());

test("a corrupt stored snapshot pointer is logged and ignored at start; the control plane's snapshot is served", async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(3));
  const dataDir = fx.freshDataDir();
  // Bytes the proxy's V8 decoder cannot read, where the snapshot pointer lives.
  const raw = await openKv(join(dataDir, "proxy.kv"), { encodeV8: () => new Uint8Array([0xff, 0x0f, 0x99, 1, 2]), decodeV8: () => null });
  await raw.set(["snapshot", "pointer"], "garbage");
  raw.close();
  const proxy = await fx.startProxy({ dataDir });
  await waitFor(() => proxy.snapshotVersion() === 3, "version 3 from the control plane");
  expect(fx.logs.some((line) => line.includes("stored snapshot cannot be read"))).toBe(true);
  // And the snapshot served is saved over the corrupt one: a restart with the control plane down serves it.
  const seen = fx.origin.state.snapshotRequests.length;
  await waitFor(() => fx!.origin.state.snapshotRequests.length >= seen + 2, "two more polls");
  expect(fx.logs.filter((line) => line.includes("could not be saved"))).toEqual([]);
  await proxy.stop();
  await fx.origin.stop();
  expect((await fx.startProxy({ dataDir })).snapshotVersion()).toBe(3);
});
