/**
 * A budget level's lock (lockLevel) is never the config lock. It was pg_advisory_xact_lock(hashtext(
 * 'budget|scope|period|zone')), a 32-bit hash in the one-bigint advisory key space of CONFIG_LOCK_ID
 * (0x63666767): a level hashing to that number waited on every admin change, and an ingest batch holding
 * gateway_keys rows (touchKeysLastUsed) and waiting for that level deadlocked with an admin mutation
 * holding the config lock and updating one of those keys (40P01, answered 500). Levels now lock in the
 * two-int4 space under their own class (BUDGET_LEVEL_LOCK_CLASS), which PostgreSQL keeps apart from the
 * one-bigint space. A key lineage id whose day level hashes to CONFIG_LOCK_ID was found by brute force.
 * (review ry Y2)
 */
import { expect, test } from "bun:test";
import { holdConfigLock } from "../testing/hold-config-lock.ts";
import { CONFIG_LOCK_ID } from "../audit/config-lock.ts";
import { addKey } from "../testing/add-key.ts";
import { lockWaiters } from "../testing/hold-tenant-row.ts";
import { rawGraphQL } from "../testing/test-control-plane.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";
import { lockLevel } from "./lease.repo.ts";

// hashtext('budget|key:<LINEAGE>|day:2026-03-01|UTC') = 0x63666767 (found by brute force).
const LINEAGE = "zzacveu442";
const COLLIDING_DAY = "day:2026-03-01";
const ingest = useUsageIngest();

test("precondition: this level label hashes to CONFIG_LOCK_ID", async () => {
  const [row] = await ingest.sql<{ h: number }[]>`select hashtext(${`budget|key:${LINEAGE}|${COLLIDING_DAY}|UTC`}) as h`;
  expect(row!.h).toBe(CONFIG_LOCK_ID); // the collision this test is built on
});

test("that level's lock is taken while another session holds the config lock", async () => {
  const other = ingest.t.openSql(1);
  const release = await holdConfigLock(ingest.t.db.url);
  try {
    const took = await other.begin(async (tx) => {
      await tx`set local lock_timeout = '500ms'`;
      await lockLevel(tx, `key:${LINEAGE}`, COLLIDING_DAY, "UTC");
      return "locked";
    });
    expect(took).toBe("locked");
  } finally {
    await release();
  }
});

test("late usage for such a level and a revokeKey at once: both succeed, no 40P01", async () => {
  const { s, sql, t } = ingest;
  const k1 = await addKey(t.admin, s.tenantId, { name: "k1" });
  await sql`update gateway_keys set lineage_id = ${LINEAGE} where id = ${k1}`;
  await sql`update gateway_keys set daily_budget_micros = 1000000 where id in (${s.keyId}, ${k1})`;
  // Another session holds the first level the batch locks (key:<seeded key>, sorted before key:zz…).
  const holder = t.openSql(1);
  let go!: () => void;
  const gate = new Promise<void>((r) => (go = r));
  let held!: () => void;
  const isHeld = new Promise<void>((r) => (held = r));
  const holding = holder.begin(async (tx) => {
    await lockLevel(tx, `key:${s.keyId}`, COLLIDING_DAY, "UTC");
    held();
    await gate;
  });
  await isHeld;
  const watch = t.openSql(1);
  // A late batch (a closed day): it stores the events, locks both key rows, then waits for the first level.
  const batch = ingest.post({ events: [ingest.event("evt_late_a", { keyId: s.keyId }), ingest.event("evt_late_b", { keyId: k1 })] }).then((r) => r.status);
  await lockWaiters(watch, t.db.name, 1);
  // An admin revokes k1: it takes the config lock, then waits for k1's row, which the batch holds.
  const revoke = rawGraphQL(t.cp.url, t.adminToken, JSON.stringify({ query: `mutation($id: ID!) { revokeKey(id: $id) { status } }`, variables: { id: k1 } }));
  await lockWaiters(watch, t.db.name, 2);
  go();
  await holding;
  const [ingested, revoked] = await Promise.all([batch, revoke]);
  const got = { ingest: ingested, revoke: revoked.json.errors?.[0]?.extensions?.code ?? revoked.json.data?.revokeKey?.status };
  expect(got).toEqual({ ingest: 200, revoke: "revoked" });
  expect(t.logs.filter((l) => /deadlock|40P01/i.test(l))).toEqual([]);
}, 30_000);
