/**
 * The poll's short timeout bounds the wait for the answer's headers only; the snapshot body has its
 * own, longer bound (downloadTimeoutMs, SNAPSHOT_DOWNLOAD_TIMEOUT_MS), so a large snapshot over a slow
 * link still loads, and a body slower than that bound is given up while the held snapshot keeps serving.
 */
import { afterAll, expect, test } from "bun:test";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { dribble, loopFixture } from "./loop-fixture.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

test("a body that takes longer than the headers' timeout is still loaded", async () => {
  const f = await loopFixture(dirs.make("loop-download-"));
  const v2 = new TextEncoder().encode(await f.sign(2));
  const server = Bun.serve({ port: 0, fetch: () => new Response(dribble(v2, 5, 60), { headers: { "content-type": "application/jose", etag: '"2"' } }) });
  const loop = f.start(server, { requestTimeoutMs: 100 });
  await loop.pollOnce();
  expect(f.current.version()).toBe(2);
  await f.close();
  server.stop(true);
});

test("a body slower than downloadTimeoutMs is given up, logged, and the held snapshot keeps serving", async () => {
  const f = await loopFixture(dirs.make("loop-download-"));
  const v2 = new TextEncoder().encode(await f.sign(2));
  const server = Bun.serve({ port: 0, fetch: () => new Response(dribble(v2, 10, 100), { headers: { etag: '"2"' } }) });
  const loop = f.start(server, { requestTimeoutMs: 100, downloadTimeoutMs: 250 });
  await loop.pollOnce();
  expect(f.current.version()).toBe(1);
  expect(f.current.controlPlaneReachable).toBe(false);
  expect(f.logs.join("\n")).toContain("250 ms");
  await f.close();
  server.stop(true);
});

test("headers that do not come within requestTimeoutMs end the poll", async () => {
  const f = await loopFixture(dirs.make("loop-download-"));
  const server = Bun.serve({ port: 0, fetch: async () => (await Bun.sleep(2_000), new Response(null, { status: 304 })) });
  const loop = f.start(server, { requestTimeoutMs: 100, downloadTimeoutMs: 10_000 });
  const started = Date.now();
  await loop.pollOnce();
  expect(Date.now() - started).toBeLessThan(1_500);
  expect(f.current.controlPlaneReachable).toBe(false);
  await f.close();
  server.stop(true);
});
