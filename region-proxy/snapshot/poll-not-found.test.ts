/**
 * A snapshot poll answered 404 was never logged and counted as "control plane reachable", whatever
 * answered it: the control plane's own "no snapshot for region eu yet", but also a CONTROL_PLANE_URL
 * with a wrong path (the GraphQL URL pasted in, an ingress prefix missing), whose every poll is a 404
 * from something that is not the snapshot route: a proxy never ready, silent, reported reachable. Now
 * a 404 is logged once per situation, naming the URL (credentials masked) and whether it was the
 * control plane's "no snapshot yet"; any other 404 is a failed poll (not reachable, backed off).
 * (Review, lifecycle #2.)
 */
import { afterAll, expect, test } from "bun:test";
import { noSnapshotYetMessage } from "../../shared/internal-api.ts";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopFixture } from "./loop-fixture.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

const notYet = () => Response.json({ error: { message: noSnapshotYetMessage("eu"), code: "not_found" } }, { status: 404 });

test("the control plane's own 'no snapshot for this region yet': reachable, not backed off, logged once naming the URL", async () => {
  let hits = 0;
  const server = Bun.serve({ port: 0, fetch: () => (hits++, notYet()) });
  const port = server.port;
  const f = await loopFixture(dirs.make("poll-not-yet-"));
  f.start(server, { pollMs: 20, controlPlaneUrl: `http://ops:secret@127.0.0.1:${server.port}` });
  await Bun.sleep(600);
  const reachable = f.current.controlPlaneReachable;
  await f.close();
  server.stop(true);
  expect(reachable).toBe(true);
  expect(hits).toBeGreaterThan(12); // polled at pollMs: not a failure
  expect(f.logs.filter((l) => l.includes("404"))).toEqual([
    `snapshot poll: the control plane has no snapshot for region eu yet (404 from "http://***@127.0.0.1:${port}/internal/v1/snapshots/eu"); keeping version 1 (logged again when this changes)`,
  ]);
});

for (const [what, answer] of [
  ["an ingress's page", () => new Response("default backend - 404", { status: 404 })],
  ["the control plane's 'no such route' (CONTROL_PLANE_URL naming its /graphql)", () => Response.json({ error: { message: "no such route", code: "not_found" } }, { status: 404 })],
] as const) {
  test(`a 404 that is not the snapshot route's (${what}): not reachable, backed off, logged once naming the URL`, async () => {
    let hits = 0;
    const server = Bun.serve({ port: 0, fetch: () => (hits++, answer()) });
    const port = server.port;
    const f = await loopFixture(dirs.make("poll-not-found-"));
    f.start(server, { pollMs: 20, controlPlaneUrl: `http://ops:secret@127.0.0.1:${server.port}/graphql` });
    await Bun.sleep(1_000);
    const reachable = f.current.controlPlaneReachable;
    await f.close();
    server.stop(true);
    expect(reachable).toBe(false);
    expect(hits).toBeLessThan(12); // backed off as a 5xx is (loop-backoff.test.ts)
    const logged = f.logs.filter((l) => l.includes("404"));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toStartWith(`snapshot poll: 404 from "http://***@127.0.0.1:${port}/graphql/internal/v1/snapshots/eu" is not the control plane's snapshot answer (`);
    expect(logged[0]).toEndWith("): CONTROL_PLANE_URL should be the control plane's base URL (a wrong or missing path prefix?); backing off, keeping version 1 (logged again when this changes)");
    expect(logged[0]).not.toContain("secret");
  });
}

test("each change of situation is logged once: not the control plane's 404, then its 'not yet', then a snapshot", async () => {
  let answer: () => Response = () => new Response("<html>404</html>", { status: 404 });
  const server = Bun.serve({ port: 0, fetch: () => answer() });
  const f = await loopFixture(dirs.make("poll-not-found-run-"));
  const loop = f.start(server);
  try {
    await loop.pollOnce();
    await loop.pollOnce();
    expect(f.current.controlPlaneReachable).toBe(false);
    answer = notYet;
    await loop.pollOnce();
    await loop.pollOnce();
    expect(f.current.controlPlaneReachable).toBe(true);
    const jws = await f.sign(2);
    answer = () => new Response(jws, { headers: { etag: '"2"' } });
    await loop.pollOnce();
    expect(f.current.version()).toBe(2);
    answer = notYet;
    await loop.pollOnce();
    expect(f.logs.filter((l) => l.startsWith("snapshot poll: "))).toEqual([
      expect.stringContaining('is not the control plane\'s snapshot answer ("<html>404</html>")'),
      expect.stringContaining("snapshot poll: the control plane has no snapshot for region eu yet (404 from"),
      expect.stringContaining("snapshot poll: the control plane has no snapshot for region eu yet (404 from"),
    ]);
  } finally {
    await f.close();
    server.stop(true);
  }
});
