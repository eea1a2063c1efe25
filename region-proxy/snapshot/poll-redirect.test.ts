/**
 * The snapshot poll is never followed through a redirect: it was (fetch's default), and a 200's JWS is
 * verified, but a 304 carries nothing signed: whatever host a 307's Location named could answer 304 and
 * the proxy confirmed its held snapshot as current and reported the control plane reachable, for ever
 * (a revoked key kept working, /health never said the snapshot was stale); a real cross-origin redirect
 * drops Authorization and the other host's 401 was logged as "REGION_TOKEN is refused". A 3xx is a
 * failed, unreachable poll now, logged once per run with where it pointed, as the usage and lease
 * requests do (shared/http/redirect-answer.ts). (Review frb 1.)
 */
import { afterAll, expect, test } from "bun:test";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopFixture } from "./loop-fixture.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

test("a 304 from the host a redirect names does not confirm the held snapshot", async () => {
  const seenElsewhere: Record<string, string | null>[] = [];
  const elsewhere = Bun.serve({
    port: 0,
    fetch: (request) => {
      seenElsewhere.push({ authorization: request.headers.get("authorization"), age: request.headers.get("x-usage-outbox-oldest-age-ms") });
      return new Response(null, { status: 304, headers: { etag: '"1"' } });
    },
  });
  const controlPlane = Bun.serve({ port: 0, fetch: (request) => Response.redirect(`http://127.0.0.1:${elsewhere.port}${new URL(request.url).pathname}`, 307) });
  const f = await loopFixture(dirs.make("poll-redirect-"));
  let confirmed = 0;
  const confirm = f.current.confirm.bind(f.current);
  f.current.confirm = (now?: number) => (confirmed++, confirm(now));
  const loop = f.start(controlPlane);
  try {
    await loop.pollOnce();
    await loop.pollOnce();
    expect({ confirmed, reachable: f.current.controlPlaneReachable, seenElsewhere }).toEqual({ confirmed: 0, reachable: false, seenElsewhere: [] });
  } finally {
    await f.close();
    controlPlane.stop(true);
    elsewhere.stop(true);
  }
});

for (const status of [301, 302, 307, 308]) {
  test(`a ${status} is a failed poll, backed off, logged once with the masked Location`, async () => {
    let hits = 0;
    const server = Bun.serve({ port: 0, fetch: () => (hits++, new Response(null, { status, headers: { location: "https://user:pw@elsewhere.example/internal/v1/snapshots/eu?sig=1" } })) });
    const f = await loopFixture(dirs.make("poll-redirect-status-"));
    f.start(server, { pollMs: 20 });
    await Bun.sleep(1_000);
    const reachable = f.current.controlPlaneReachable;
    await f.close();
    server.stop(true);
    expect(reachable).toBe(false);
    expect(hits).toBeLessThan(12); // backed off as a 5xx is (loop-backoff.test.ts)
    expect(f.logs.filter((l) => l.startsWith("snapshot poll"))).toEqual([
      `snapshot poll: the control plane answered with a redirect (${status} to "https://***@elsewhere.example/internal/v1/snapshots/eu?***"), which is not followed: CONTROL_PLANE_URL should name the control plane itself; backing off, keeping version 1 (logged again when this changes)`,
    ]);
  });
}

test("a redirect run ends at the next answer from the control plane: reachable again, said once", async () => {
  let status = 307;
  const server = Bun.serve({ port: 0, fetch: () => (status === 304 ? new Response(null, { status, headers: { etag: '"1"' } }) : new Response(null, { status, headers: { location: "http://elsewhere.example/" } })) });
  const f = await loopFixture(dirs.make("poll-redirect-then-"));
  const loop = f.start(server);
  try {
    await loop.pollOnce();
    await loop.pollOnce();
    status = 304;
    await loop.pollOnce();
    expect(f.current.controlPlaneReachable).toBe(true);
    expect(f.logs.filter((l) => l.startsWith("snapshot poll"))).toEqual([
      expect.stringContaining("a redirect (307 to \"http://elsewhere.example/\")"),
      "snapshot poll: the control plane answers again without a redirect (answered 304)",
    ]);
  } finally {
    await f.close();
    server.stop(true);
  }
});
