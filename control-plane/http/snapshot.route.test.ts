/**
 * An unchanged poll (If-None-Match with the current ETag) reads the region's newest version and never
 * the snapshot itself: the JWS is megabytes on a large config and every replica polls every second,
 * so a 304 that selected it cost a full read of the row for nothing.
 */
import { beforeAll, expect, test } from "bun:test";
import { SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const statements: string[] = [];
const t = useTestControlPlane({ onQuery: (q) => statements.push(q) });
let s: Seeded;
beforeAll(async () => {
  s = await seedConfig(t.admin);
});

const poll = (headers: Record<string, string> = {}) =>
  fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), { headers: { authorization: `Bearer ${s.euToken}`, ...headers } });

/** The statements sent while `run` ran. */
async function sentDuring(run: () => Promise<void>): Promise<string[]> {
  const from = statements.length;
  await run();
  return statements.slice(from);
}

const readsSnapshots = (q: string) => /\bfrom\s+snapshots\b/i.test(q);

test("a 304 reads the version alone, never the jws column", async () => {
  const first = await poll();
  const etag = first.headers.get("etag")!;
  await first.text();
  let status = 0;
  const sent = await sentDuring(async () => {
    const unchanged = await poll({ "if-none-match": etag, "x-proxy-id": "prx_eu_1", "x-proxy-snapshot-version": etag.slice(1, -1) });
    status = unchanged.status;
    expect(await unchanged.text()).toBe("");
  });
  expect(status).toBe(304);
  expect(sent.filter(readsSnapshots).length).toBeGreaterThan(0);
  expect(sent.filter((q) => /\bjws\b/i.test(q))).toEqual([]);
});

test("a poll with an older ETag gets the body, and its ETag names the version of that body", async () => {
  let body = "";
  let etag = "";
  const sent = await sentDuring(async () => {
    const stale = await poll({ "if-none-match": '"1"' });
    expect(stale.status).toBe(200);
    etag = stale.headers.get("etag")!;
    body = await stale.text();
  });
  expect(sent.some((q) => /\bjws\b/i.test(q))).toBe(true);
  const version = JSON.parse(Buffer.from(body.split(".")[1]!, "base64url").toString()).version;
  expect(etag).toBe(`"${version}"`);
});
