/**
 * Migration 0099 creates the ledger's 15-minute spend buckets (per key and per tenant) and their triggers,
 * and does not fill them from the usage events already stored: that backfill, in the migration's
 * transaction after CREATE TRIGGER's lock, held every usage insert for ~5 us per stored event (a rolling
 * upgrade's old control plane ran out of pool connections meanwhile). It records instead the instant the
 * buckets are complete from (usage_spend_buckets_complete.complete_since: an hour past the migration's
 * clock, -infinity over an empty ledger); ledgerSpendByRegion reads the raw events before it and the
 * buckets from it on, so a level reads the same spend across the upgrade.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { loadMigrations, migrate } from "../db/migrate.ts";
import { ledgerSpendByRegion, periodWindow, type BudgetLevel } from "../budgets/budget-level.repo.ts";
import { SPEND_BUCKET_MS } from "../budgets/spend-windows.ts";
import { MAX_SPEND_MICROS } from "../budgets/spend-ceiling.ts";

const opened: { db: TestDatabase; sql: postgres.Sql }[] = [];
async function freshDatabase(): Promise<postgres.Sql> {
  const db = await createTestDatabase();
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  opened.push({ db, sql });
  return sql;
}
afterAll(async () => {
  for (const { db, sql } of opened) {
    await sql.end({ timeout: 1 });
    await db.drop();
  }
});

const before99 = async () => (await loadMigrations()).filter((m) => m.version < 99);
/** Up to 0099 and no further: later migrations are not this test's (0100 came after it). */
const upTo99 = async () => (await loadMigrations()).filter((m) => m.version <= 99);

const insert = (sql: postgres.Sql, id: string, time: Date | string, key: string, region: string, cost: number, tenant = "ten_a") => sql`
  insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
    input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
  values (${id}, ${time}, 'req', ${region}, 1, ${tenant}, ${key}, 'chat', 'chat', false, 1, 1, 0, 0, 0, ${cost}, 5, 'ok', 1)
  on conflict (event_id) do nothing`;

const bucketCount = async (sql: postgres.Sql) =>
  Number((await sql`select (select count(*) from usage_key_spend_buckets) + (select count(*) from usage_tenant_spend_buckets) as n`)[0]!.n);

const completeSince = async (sql: postgres.Sql) =>
  (await sql<[{ since: Date | null; unbounded: boolean }]>`
    select nullif(complete_since, '-infinity') as since, complete_since = '-infinity' as unbounded from usage_spend_buckets_complete`)[0]!;

/** The migration's statements outside comments and function bodies. */
async function migrationStatements(): Promise<string> {
  const m = (await loadMigrations()).find((x) => x.version === 99)!;
  return m.sql.replace(/--[^\n]*/g, "").replace(/\$\$[\s\S]*?\$\$/g, "$$$$").replace(/\s+/g, " ").toLowerCase();
}

test("0099 fills no bucket from the stored events: its statements read usage_events only to ask whether it is empty", async () => {
  const statements = await migrationStatements();
  // Every mention of usage_events outside the trigger functions: the four triggers' tables and one exists().
  const mentions = [...statements.matchAll(/(\S+ \S+) usage_events\b/g)].map((m) => m[1]);
  expect(mentions.sort()).toEqual(["(select from", "delete on", "insert on", "truncate on", "update on"]);
  expect(statements).toContain("exists (select from usage_events)");
  expect(statements).not.toMatch(/insert into usage_(key|tenant)_spend_buckets/);
  // And complete_since is taken after the triggers exist (their lock held until the migration commits).
  expect(statements.indexOf("clock_timestamp() + interval '1 hour'")).toBeGreaterThan(statements.lastIndexOf("create trigger"));
});

test("over an empty ledger the buckets are complete from the beginning (-infinity)", async () => {
  const sql = await freshDatabase();
  await migrate(sql);
  expect(await completeSince(sql)).toEqual({ since: null, unbounded: true });
});

test("over stored events: no bucket filled, complete_since an hour past the migration; the ledger reads raw events before it and buckets after, equal to the raw sum", async () => {
  const sql = await freshDatabase();
  await migrate(sql, await before99());
  const now = Date.now();
  const min = 60_000;
  // Stored before the triggers existed: up to the future skew ingest allows (bookingTime, 5 minutes).
  const pre: [string, number, string, string, number][] = [
    ["evt_pre_1", now - 3 * 86_400_000, "key_a", "eu", 1],
    ["evt_pre_2", now - 20 * min, "key_a", "eu", 2],
    ["evt_pre_3", now - 20 * min, "key_b", "us", 4],
    ["evt_pre_4", now - 1 * min, "key_a", "us", 8],
    ["evt_pre_5", now + 4 * min, "key_b", "eu", 16],
    ["evt_pre_6", now - 5 * min, "key_a", "eu", 32],
  ];
  for (const [id, at, key, region, cost] of pre) await insert(sql, id, new Date(at), key, region, cost);

  const [{ before }] = await sql<[{ before: Date }]>`select clock_timestamp() as before`;
  expect(await migrate(sql, await upTo99())).toEqual(["0099_usage_spend_buckets.sql"]);
  const [{ after }] = await sql<[{ after: Date }]>`select clock_timestamp() as after`;
  expect(await bucketCount(sql)).toBe(0);
  const { since } = await completeSince(sql);
  const hour = 3_600_000;
  expect(since!.getTime()).toBeGreaterThanOrEqual(before.getTime() + hour);
  expect(since!.getTime()).toBeLessThanOrEqual(after.getTime() + hour);
  // The reads below are today's code, which needs today's schema (0101: a key level sums its lineage's
  // keys): the later migrations, and the two keys the events name (each its own lineage).
  await migrate(sql);
  await sql`insert into tenants (id, name) values ('ten_a', 'a') on conflict do nothing`;
  for (const key of ["key_a", "key_b"]) await sql`insert into gateway_keys (id, tenant_id, name, prefix, key_hash) values (${key}, 'ten_a', 'k', 'gwk_', ${`hash_${key}`})`;

  // After the triggers: into the same buckets as the stored ones (before complete_since), and after it.
  const post: [string, number, string, string, number][] = [
    ["evt_post_1", now - 20 * min, "key_a", "eu", 64],
    ["evt_post_2", now, "key_b", "us", 128],
    ["evt_post_3", since!.getTime() - 1, "key_a", "eu", 256],
    ["evt_post_4", since!.getTime(), "key_a", "us", 512],
    ["evt_post_5", since!.getTime() + 7 * min, "key_b", "eu", 1024],
    ["evt_post_6", now + 2 * hour, "key_a", "eu", 2048],
    ["evt_post_7", now + 3 * 86_400_000, "key_a", "eu", 4096],
    ["evt_post_8", now + 3 * 86_400_000 + 16 * min, "key_b", "us", 8192],
  ];
  for (const [id, at, key, region, cost] of post) await insert(sql, id, new Date(at), key, region, cost);
  await insert(sql, "evt_pre_2", new Date(now - 20 * min), "key_a", "eu", 2); // resent: not counted again

  const day = (offset: number) => new Date(now + offset * 86_400_000).toISOString().slice(0, 10);
  const periods = [
    [day(-5), day(-1)], // wholly before complete_since
    [day(-1), day(2)], // straddling it
    [day(-5), day(6)], // straddling it, a longer one
    [day(2), day(6)], // wholly after it
    [day(3), day(4)],
  ];
  const levels: BudgetLevel[] = [];
  for (const zone of ["UTC", "Asia/Kathmandu", "America/New_York"]) {
    for (const [startDate, endDate] of periods) {
      for (const keyId of [null, "key_a", "key_b"]) levels.push({ tenantId: "ten_a", keyId, capMicros: 1, timeZone: zone, startDate: startDate!, endDate: endDate! });
    }
  }
  const rawSpend = async (l: BudgetLevel) => {
    const { start, end } = periodWindow(l);
    const rows = await sql<{ region: string; spent: string; rows: number }[]>`
      select region, least(sum(cost_micros), ${MAX_SPEND_MICROS})::text as spent, count(*)::int as rows from usage_events
      where ${l.keyId ? sql`key_id = ${l.keyId}` : sql`tenant_id = ${l.tenantId}`} and time >= ${start} and time < ${end} group by region`;
    return new Map(rows.map((r) => [r.region, { spentMicros: Number(r.spent), rows: r.rows }]));
  };
  const expectSameAsRaw = async () => {
    let rows = 0;
    for (const l of levels) {
      const raw = await rawSpend(l);
      expect({ l, spend: await ledgerSpendByRegion(sql, l) }).toEqual({ l, spend: raw });
      for (const v of raw.values()) rows += v.rows;
    }
    return rows;
  };
  expect(await expectSameAsRaw()).toBeGreaterThan(0);
  // The wholly-after periods are read from the buckets the triggers kept.
  const after3 = await ledgerSpendByRegion(sql, { tenantId: "ten_a", keyId: null, capMicros: 1, timeZone: "UTC", startDate: day(2), endDate: day(6) });
  expect(after3).toEqual(new Map([["eu", { spentMicros: 4096, rows: 1 }], ["us", { spentMicros: 8192, rows: 1 }]]));

  // Events stored before the triggers, changed or removed after: their old buckets (before complete_since)
  // go negative or partial and are never read; the ledger stays exact.
  await sql`update usage_events set cost_micros = cost_micros * 3 where event_id in ('evt_pre_2', 'evt_pre_3')`;
  await sql`update usage_events set time = ${new Date(now + 3 * 86_400_000 + 5 * min)}, key_id = 'key_b' where event_id = 'evt_pre_4'`;
  await sql`update usage_events set time = ${new Date(now - 2 * 86_400_000)} where event_id = 'evt_post_7'`;
  await sql`delete from usage_events where event_id in ('evt_pre_5', 'evt_pre_6', 'evt_pre_1')`;
  const [{ negative }] = await sql<[{ negative: number }]>`select count(*)::int as negative from usage_tenant_spend_buckets where events < 0 or cost_micros < 0`;
  expect(negative).toBeGreaterThan(0);
  await expectSameAsRaw();
  const moved = await ledgerSpendByRegion(sql, { tenantId: "ten_a", keyId: "key_b", capMicros: 1, timeZone: "UTC", startDate: day(2), endDate: day(6) });
  expect(moved).toEqual(new Map([["us", { spentMicros: 8200, rows: 2 }]]));
});

test("the triggers count an event the ledger already holds (ON CONFLICT DO NOTHING) once; the grid is spend-windows.ts's; truncate empties the buckets", async () => {
  const sql = await freshDatabase();
  await migrate(sql);
  await insert(sql, "evt_1", "2026-03-01T00:00:00Z", "key_a", "eu", 10);
  await insert(sql, "evt_1", "2026-03-01T00:00:00Z", "key_a", "eu", 10);
  await insert(sql, "evt_2", "2026-03-01T00:14:59.999Z", "key_a", "eu", 20);
  await insert(sql, "evt_3", "2026-03-01T00:15:00Z", "key_a", "eu", 40);
  const rows = await sql`select key_id, bucket_start, region, cost_micros::text as cost, events::int as events from usage_key_spend_buckets order by 2`;
  expect([...rows]).toEqual([
    { key_id: "key_a", bucket_start: new Date("2026-03-01T00:00:00Z"), region: "eu", cost: "30", events: 2 },
    { key_id: "key_a", bucket_start: new Date("2026-03-01T00:15:00Z"), region: "eu", cost: "40", events: 1 },
  ]);
  const [{ edge }] = await sql<[{ edge: Date }]>`select usage_spend_bucket('2026-03-01T05:44:59.999+00') as edge`;
  expect(edge.getTime() % SPEND_BUCKET_MS).toBe(0);
  expect(edge.toISOString()).toBe("2026-03-01T05:30:00.000Z");
  await sql`truncate usage_events`;
  expect(await bucketCount(sql)).toBe(0);
});
