/**
 * A compressing intermediary (nginx with gzip, since 1.7.3; Cloudflare) turns the snapshot's strong
 * ETag into a weak one on the 200 it compresses, and passes the 304, which has no body to compress,
 * with the control plane's strong one (hapijs/hapi#3956). Entity tags are compared weakly for
 * If-None-Match (RFC 9110 §8.8.3.2, §13.1.2): W/"2" and "2" name the same version, so a 304 naming the
 * refused version in either form must not confirm the held snapshot current.
 */
import { afterAll, expect, test } from "bun:test";
import { generateSigningKey } from "../../shared/snapshot/sign.ts";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopFixture } from "./loop-fixture.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

test("a refused version whose 200 came with a weakened ETag: the 304 naming it with the strong one does not confirm the held snapshot", async () => {
  const f = await loopFixture(dirs.make("loop-weak-etag-"));
  const { key: unpinned } = await generateSigningKey("k2");
  const refusedJws = await f.sign(2, { key: unpinned });
  let bodies = 0;
  const server = Bun.serve({
    port: 0,
    fetch(request) {
      // The control plane's rule (snapshot.route.ts etagMatches): a listed tag, weak or strong, of the latest version.
      const listed = (request.headers.get("if-none-match") ?? "").split(",").map((tag) => tag.trim());
      if (listed.includes('"2"') || listed.includes('W/"2"')) return new Response(null, { status: 304, headers: { etag: '"2"' } });
      bodies++;
      return new Response(refusedJws, { headers: { etag: 'W/"2"' } });
    },
  });
  const loop = f.start(server);
  let confirmed = 0;
  const confirm = f.current.confirm.bind(f.current);
  f.current.confirm = (now?: number) => (confirmed++, confirm(now));
  for (let i = 0; i < 3; i++) await loop.pollOnce();
  expect(bodies).toBe(1);
  expect(f.current.version()).toBe(1);
  expect(confirmed).toBe(0);
  expect(f.logs.filter((line) => line.startsWith("snapshot refused"))).toHaveLength(1);
  await f.close();
  server.stop(true);
});
