/**
 * While the control plane fails (5xx, unreachable) the loop backs off instead of polling every
 * pollMs, and returns to pollMs once it answers again.
 */
import { afterAll, expect, test } from "bun:test";
import { noSnapshotYetMessage } from "../../shared/internal-api.ts";
import { generateSigningKey } from "../../shared/snapshot/sign.ts";
import { importTrustedKeys } from "../../shared/snapshot/verify.ts";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { openProxyKv } from "../kv/open-kv.ts";
import { CurrentSnapshot } from "./current.ts";
import { startSnapshotLoop } from "./loop.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

test("a failing control plane is polled with growing pauses, and at pollMs again once it answers", async () => {
  let failing = true;
  const hits: number[] = [];
  // Answering again: the control plane's own "no snapshot for this region yet".
  const server = Bun.serve({ port: 0, fetch: () => (hits.push(Date.now()), failing ? new Response("down", { status: 503 }) : Response.json({ error: { message: noSnapshotYetMessage("eu"), code: "not_found" } }, { status: 404 })) });
  const { key } = await generateSigningKey("k1");
  const kv = await openProxyKv(dirs.make("loop-backoff-"));
  const loop = startSnapshotLoop({
    region: "eu",
    trusted: await importTrustedKeys({ keys: [key.publicJwk] }),
    current: new CurrentSnapshot(),
    kv,
    log: () => {},
    controlPlaneUrl: `http://127.0.0.1:${server.port}`,
    regionToken: "regtok_x",
    proxyId: "prx_test",
    pollMs: 20,
  });
  await Bun.sleep(1_000);
  const whileFailing = hits.length;
  // At a steady 20 ms that would be ~50 polls; backing off (doubling) it is under 10.
  expect(whileFailing).toBeLessThan(12);
  failing = false;
  await Bun.sleep(800); // the longest pause still running ends, then one answered poll resets the pace
  const before = hits.length;
  await Bun.sleep(400);
  expect(hits.length - before).toBeGreaterThan(8);
  await loop.stop();
  server.stop(true);
  kv.close();
});
