/**
 * A snapshot poll answered by a 404 that is not the control plane's logs the start of its body, and
 * what answered is whatever sits at CONTROL_PLANE_URL: an ingress or debug page that echoes the
 * request's headers would put the region token (sent as `Authorization: Bearer …`) in the proxy's log.
 * The token is cut out of the logged excerpt, whole or cut at the excerpt's end.
 */
import { afterAll, expect, test } from "bun:test";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopFixture } from "./loop-fixture.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

const TOKEN = "regtok_ECHOED-region-secret-0123456789";

for (const [what, page] of [
  ["a 404 page echoing the headers", (a: string) => `not found; authorization: ${a}`],
  ["a 404 page whose 80-character excerpt ends inside the token", (a: string) => `${"x".repeat(68)}${a}`],
] as const) {
  test(`${what}: the log line has no region token`, async () => {
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: (request) => new Response(page(request.headers.get("authorization") ?? ""), { status: 404 }) });
    const f = await loopFixture(dirs.make("poll-token-echo-"));
    try {
      const loop = f.start(server, { regionToken: TOKEN });
      await loop.pollOnce();
      const logged = f.logs.filter((l) => l.includes("404"));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain("is not the control plane's snapshot answer (");
      expect(logged[0]).toContain("[redacted]");
      expect(logged[0]).not.toContain(TOKEN.slice(0, 12));
      expect(logged[0]).not.toContain("ECHOED");
    } finally {
      await f.close();
      server.stop(true);
    }
  });
}
