/**
 * A session holding a tenant's row (an operator's psql `begin; select ... for update` left open, a long
 * migration): the mutation needing the row answers BUSY after a bounded wait instead of hanging with the
 * config lock held, and admin mutations queued behind it never hold the connections snapshot polls and
 * usage ingest use (GraphQL has its own pool, Database.admin).
 */
import { expect, test } from "bun:test";
import postgres from "postgres";
import { SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { CONFIG_LOCK_WAIT_MS } from "../audit/config-lock.ts";
import { ADMIN_POOL_MAX } from "../db/client.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";
import { rawGraphQL } from "../testing/test-control-plane.ts";

const ingest = useUsageIngest();

const timed = async <T>(p: Promise<T>, ms: number): Promise<T | "no answer"> => Promise.race([p, Bun.sleep(ms).then(() => "no answer" as const)]);
const gql = (q: string, v: Record<string, unknown> = {}) => rawGraphQL(ingest.t.cp.url, ingest.t.adminToken, JSON.stringify({ query: q, variables: v }));
const createKey = (name: string) => gql(`mutation($t: ID!, $n: String!) { createKey(input: { tenantId: $t, name: $n }) { key { id } } }`, { t: ingest.s.tenantId, n: name });

/** Another session locks the seeded tenant's row until the returned release() is called. */
async function lockTenant(): Promise<() => Promise<void>> {
  const holder = postgres(ingest.t.db.url, { max: 1, onnotice: () => {} });
  let go!: () => void;
  const gate = new Promise<void>((r) => (go = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = holder.begin(async (tx) => {
    await tx`select id from tenants where id = ${ingest.s.tenantId} for update`;
    locked();
    await gate;
  });
  await isLocked;
  return async () => {
    go();
    await done;
    await holder.end();
  };
}

/** Resolves once at least `n` of the control plane's backends wait on a lock (within 10 s). */
async function lockWaiters(n: number): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 10_000; await Bun.sleep(20)) {
    const [w] = await ingest.sql`select count(*)::int n from pg_stat_activity where datname = ${ingest.t.db.name} and wait_event_type = 'Lock'`;
    if (w!.n >= n) return;
  }
  throw new Error(`fewer than ${n} backends waited on a lock`);
}

test("a mutation blocked by another session's row lock answers BUSY after the lock wait, changing nothing", async () => {
  const release = await lockTenant();
  try {
    const answer = await timed(createKey("k-blocked"), CONFIG_LOCK_WAIT_MS + 5000);
    if (answer === "no answer") throw new Error("createKey did not answer");
    expect(answer.status).toBe(200);
    expect(answer.json.errors?.[0]?.extensions?.code).toBe("BUSY");
    expect(answer.json.errors[0].message).toContain("retry");
  } finally {
    await release();
  }
  const [row] = await ingest.sql`select count(*)::int n from gateway_keys where name = 'k-blocked'`;
  expect(row!.n).toBe(0);
  // The config lock was released with the transaction: the next change goes through.
  expect((await createKey("k-after")).json.errors).toBeUndefined();
}, 30_000);

test("admin mutations waiting on the config lock do not hold the connections of snapshot polls and usage ingest", async () => {
  const release = await lockTenant();
  let got: unknown;
  const blocked: Promise<unknown>[] = [];
  try {
    // One mutation waits on the row holding the config lock; twelve more wait behind it (more than the main pool's 10).
    blocked.push(createKey("k2"));
    await lockWaiters(1);
    for (let i = 0; i < 12; i++) blocked.push(gql(`mutation($n: String!) { createTenant(input: { name: $n }) { id } }`, { n: `other${i}` }));
    // Every admin connection waits (the row, then the config lock); the rest queue for one.
    await lockWaiters(ADMIN_POOL_MAX);
    const snapshot = timed(fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", ingest.t.cp.url), { headers: { authorization: `Bearer ${ingest.s.euToken}` } }).then((r) => r.status), 5000);
    const usage = timed(ingest.post({ events: [ingest.event("evt_during_lock")] }).then((r) => r.status), 5000);
    got = { snapshot: await snapshot, usage: await usage };
  } finally {
    await release();
  }
  await Promise.all(blocked);
  expect(got).toEqual({ snapshot: 200, usage: 200 });
}, 30_000);
