/**
 * A session holding a tenant's row (an operator's psql `begin; select ... for update` left open, a long
 * migration): the mutation needing the row answers BUSY after the lock wait (CONFIG_LOCK_TIMEOUT_MS,
 * here 500 ms) instead of hanging with the config lock held, and changes nothing. That admin mutations
 * queued behind it leave the proxies' connections alone: admin-pool-under-lock.test.ts.
 */
import { expect, test } from "bun:test";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";
import { holdTenantRow } from "../testing/hold-tenant-row.ts";
import { rawGraphQL } from "../testing/test-control-plane.ts";

const LOCK_TIMEOUT_MS = 500;
const ingest = useUsageIngest({ configLockTimeoutMs: LOCK_TIMEOUT_MS });

const timed = async <T>(p: Promise<T>, ms: number): Promise<T | "no answer"> => Promise.race([p, Bun.sleep(ms).then(() => "no answer" as const)]);
const createKey = (name: string) =>
  rawGraphQL(ingest.t.cp.url, ingest.t.adminToken, JSON.stringify({ query: `mutation($t: ID!, $n: String!) { createKey(input: { tenantId: $t, name: $n }) { key { id } } }`, variables: { t: ingest.s.tenantId, n: name } }));

test("a mutation blocked by another session's row lock answers BUSY after the lock wait, changing nothing", async () => {
  const release = await holdTenantRow(ingest.t.db.url, ingest.s.tenantId);
  try {
    const answer = await timed(createKey("k-blocked"), LOCK_TIMEOUT_MS + 5000);
    if (answer === "no answer") throw new Error("createKey did not answer");
    expect(answer.status).toBe(200);
    expect(answer.json.errors?.[0]?.extensions?.code).toBe("BUSY");
    expect(answer.json.errors[0].message).toContain(`waited ${LOCK_TIMEOUT_MS} ms for a lock`);
    expect(answer.json.errors[0].message).toContain("retry");
  } finally {
    await release();
  }
  const [row] = await ingest.sql`select count(*)::int n from gateway_keys where name = 'k-blocked'`;
  expect(row!.n).toBe(0);
  // The config lock was released with the transaction: the next change goes through.
  expect((await createKey("k-after")).json.errors).toBeUndefined();
}, 30_000);
