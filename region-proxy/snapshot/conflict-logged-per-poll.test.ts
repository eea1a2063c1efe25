/**
 * 25b98ed said a snapshot of the held version with other bytes is "logged once"; but while the control
 * plane cannot republish (its config lock busy: 304318d answers such polls 200, never 304) every poll
 * gets the conflicting 200, and each was verified, parsed and logged again. The loop now remembers the
 * conflicting snapshot's digest: the same bytes again are a failed poll, not applied, not logged.
 * (Review frb 3.)
 */
import { afterAll, expect, test } from "bun:test";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopFixture } from "./loop-fixture.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

test("the same conflicting 200, polled three times, is logged once", async () => {
  const f = await loopFixture(dirs.make("conflict-repeat-"));
  await Bun.sleep(5);
  const other = await f.sign(1);
  const server = Bun.serve({ port: 0, fetch: () => new Response(other, { headers: { etag: '"1"' } }) });
  const loop = f.start(server);
  try {
    for (let i = 0; i < 3; i++) await loop.pollOnce();
    expect(f.logs.filter((l) => l.startsWith("snapshot conflict: ")).length).toBe(1);
  } finally {
    await f.close();
    server.stop(true);
  }
});
