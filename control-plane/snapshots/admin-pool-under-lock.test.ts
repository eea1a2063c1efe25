/**
 * Admin mutations queued on a held row and on the config lock wait on GraphQL's own pool
 * (Database.admin), never on the connections snapshot polls and usage ingest use. Default lock
 * timeout (10 s): the waiters must still wait while the proxies' endpoints are asked.
 */
import { expect, test } from "bun:test";
import { SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { ADMIN_POOL_MAX } from "../db/client.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";
import { holdTenantRow, lockWaiters } from "../testing/hold-tenant-row.ts";
import { rawGraphQL } from "../testing/test-control-plane.ts";

const ingest = useUsageIngest();

const timed = async <T>(p: Promise<T>, ms: number): Promise<T | "no answer"> => Promise.race([p, Bun.sleep(ms).then(() => "no answer" as const)]);
const gql = (q: string, v: Record<string, unknown> = {}) => rawGraphQL(ingest.t.cp.url, ingest.t.adminToken, JSON.stringify({ query: q, variables: v }));

test("admin mutations waiting on the config lock do not hold the connections of snapshot polls and usage ingest", async () => {
  const release = await holdTenantRow(ingest.t.db.url, ingest.s.tenantId);
  const waiting = (n: number) => lockWaiters(ingest.sql, ingest.t.db.name, n);
  let got: unknown;
  const blocked: Promise<unknown>[] = [];
  try {
    // One mutation waits on the row holding the config lock; twelve more wait behind it (more than the main pool's 10).
    blocked.push(gql(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k2" }) { key { id } } }`, { t: ingest.s.tenantId }));
    await waiting(1);
    for (let i = 0; i < 12; i++) blocked.push(gql(`mutation($n: String!) { createTenant(input: { name: $n }) { id } }`, { n: `other${i}` }));
    // Every admin connection waits (the row, then the config lock); the rest queue for one.
    await waiting(ADMIN_POOL_MAX);
    const snapshot = timed(fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", ingest.t.cp.url), { headers: { authorization: `Bearer ${ingest.s.euToken}` } }).then((r) => r.status), 5000);
    const usage = timed(ingest.post({ events: [ingest.event("evt_during_lock")] }).then((r) => r.status), 5000);
    got = { snapshot: await snapshot, usage: await usage };
  } finally {
    await release();
  }
  await Promise.all(blocked);
  expect(got).toEqual({ snapshot: 200, usage: 200 });
}, 30_000);
