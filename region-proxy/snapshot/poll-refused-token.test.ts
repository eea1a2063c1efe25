/**
 * A control plane that refuses the proxy's region token (401) or its region (403) was counted as
 * "reachable" and as a successful poll: /health's controlPlaneReachable and the
 * gateway_control_plane_reachable gauge read true for a proxy that would never get another snapshot,
 * with no backoff and a log line at every poll. Now it is not reachable, backed off as a 5xx is, and
 * logged once per run of refusals. (Review repro re #4.)
 */
import { afterAll, expect, test } from "bun:test";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopFixture } from "./loop-fixture.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

for (const status of [401, 403]) {
  test(`a ${status} from the control plane is not reported as reachable, is backed off and logged once`, async () => {
    let hits = 0;
    const server = Bun.serve({ port: 0, fetch: () => (hits++, Response.json({ error: { code: "unauthenticated" } }, { status })) });
    const f = await loopFixture(dirs.make("poll-refused-"));
    f.start(server, { pollMs: 20 });
    await Bun.sleep(1_000);
    const reachable = f.current.controlPlaneReachable;
    const logged = f.logs.filter((l) => l.includes(`answered ${status}`));
    await f.close();
    server.stop(true);
    expect(reachable).toBe(false);
    expect(hits).toBeLessThan(12); // backed off as a 5xx is (loop-backoff.test.ts)
    expect(logged.length).toBe(1);
    expect(logged[0]).toContain("REGION_TOKEN is refused");
  });
}

test("a refusal run ends at the next accepted poll: reachable again, logged once, the next refusal logged again", async () => {
  let status = 401;
  const server = Bun.serve({ port: 0, fetch: () => (status === 304 ? new Response(null, { status, headers: { etag: '"1"' } }) : new Response("{}", { status })) });
  const f = await loopFixture(dirs.make("poll-refused-then-"));
  const loop = f.start(server);
  try {
    await loop.pollOnce();
    await loop.pollOnce();
    expect(f.current.controlPlaneReachable).toBe(false);
    status = 304;
    await loop.pollOnce();
    expect(f.current.controlPlaneReachable).toBe(true);
    status = 403;
    await loop.pollOnce();
    expect(f.logs.filter((l) => l.startsWith("snapshot poll: "))).toEqual([
      expect.stringContaining("answered 401: REGION_TOKEN is refused (unknown or revoked)"),
      "snapshot poll: control plane accepts the region token again (answered 304)",
      expect.stringContaining("answered 403: REGION_TOKEN is refused for region eu"),
    ]);
  } finally {
    await f.close();
    server.stop(true);
  }
});
