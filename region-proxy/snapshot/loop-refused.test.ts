/**
 * A refused snapshot (unpinned key, wrong region...) counts as a failed poll for the backoff, and is
 * not downloaded again: its ETag joins If-None-Match, so the control plane answers 304 until it
 * publishes another version; without ETags it is recognised by its hash. The held snapshot keeps serving.
 */
import { afterAll, expect, test } from "bun:test";
import { generateSigningKey } from "../../shared/snapshot/sign.ts";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopFixture } from "./loop-fixture.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

/** The control plane's ETag rule (control-plane/http/snapshot.route.ts): 304 when any listed tag is the latest version's. */
function fakeControlPlane(latest: { version: number; jws: string }) {
  const seen: (string | null)[] = [];
  let bodies = 0;
  const server = Bun.serve({
    port: 0,
    fetch(request) {
      const held = request.headers.get("if-none-match");
      seen.push(held);
      const etag = `"${latest.version}"`;
      if (held?.split(",").some((tag) => tag.trim() === etag)) return new Response(null, { status: 304, headers: { etag } });
      bodies++;
      return new Response(latest.jws, { headers: { etag } });
    },
  });
  return { server, seen, bodies: () => bodies };
}

test("a refused version is downloaded once, then answered 304 through If-None-Match until a new one is published", async () => {
  const f = await loopFixture(dirs.make("loop-refused-"));
  const { key: unpinned } = await generateSigningKey("k2");
  const latest = { version: 2, jws: await f.sign(2, { key: unpinned }) };
  const cp = fakeControlPlane(latest);
  const loop = f.start(cp.server);
  let confirmed = 0;
  const confirm = f.current.confirm.bind(f.current);
  f.current.confirm = (now?: number) => (confirmed++, confirm(now));
  for (let i = 0; i < 3; i++) await loop.pollOnce();
  expect(cp.bodies()).toBe(1);
  expect(cp.seen.slice(1)).toEqual(['"1", "2"', '"1", "2"']);
  expect(f.current.version()).toBe(1);
  expect(confirmed).toBe(0); // a 304 for the refused version does not say the held one is current
  expect(f.logs.filter((line) => line.startsWith("snapshot refused"))).toHaveLength(1);
  Object.assign(latest, { version: 3, jws: await f.sign(3) });
  await loop.pollOnce();
  expect(f.current.version()).toBe(3);
  await loop.pollOnce();
  expect(cp.seen.at(-1)).toBe('"3"');
  expect(confirmed).toBe(1);
  await f.close();
  cp.server.stop(true);
});

test("a refused version is downloaded again once the recheck is due: a copy damaged on the way does not keep the genuine one out", async () => {
  const f = await loopFixture(dirs.make("loop-refused-"));
  const genuine = await f.sign(2);
  const [header, payload, signature] = genuine.split(".");
  const damaged = [header, payload!.slice(0, -4) + "AAAA", signature].join(".");
  const latest = { version: 2, jws: damaged };
  const cp = fakeControlPlane(latest);
  const loop = f.start(cp.server, { refusedRecheckMs: 200 });
  await loop.pollOnce();
  await loop.pollOnce();
  expect(cp.bodies()).toBe(1);
  latest.jws = genuine;
  await Bun.sleep(250);
  await loop.pollOnce();
  expect(cp.bodies()).toBe(2);
  expect(f.current.version()).toBe(2);
  await f.close();
  cp.server.stop(true);
});

test("a refused snapshot backs the polls off, and one without an ETag is recognised by its hash (logged once)", async () => {
  const f = await loopFixture(dirs.make("loop-refused-"));
  const foreign = await f.sign(2, { region: "us" });
  const hits: number[] = [];
  const server = Bun.serve({ port: 0, fetch: () => (hits.push(Date.now()), new Response(foreign)) });
  const loop = f.start(server, { pollMs: 20 });
  await Bun.sleep(1_000);
  // At a steady 20 ms that would be ~50 polls; backing off (doubling) it is under 10.
  expect(hits.length).toBeGreaterThan(2);
  expect(hits.length).toBeLessThan(12);
  expect(f.current.version()).toBe(1);
  expect(f.logs.filter((line) => line.startsWith("snapshot refused"))).toHaveLength(1);
  await f.close();
  server.stop(true);
});

test("a snapshot over the byte cap is not fetched again: its ETag joins If-None-Match", async () => {
  const f = await loopFixture(dirs.make("loop-refused-"));
  const cp = fakeControlPlane({ version: 2, jws: "x".repeat(4096) });
  const loop = f.start(cp.server, { maxBytes: 1024 });
  for (let i = 0; i < 3; i++) await loop.pollOnce();
  expect(cp.bodies()).toBe(1);
  expect(cp.seen.at(-1)).toBe('"1", "2"');
  expect(f.logs.filter((line) => line.startsWith("snapshot refused"))).toHaveLength(1);
  await f.close();
  cp.server.stop(true);
});
