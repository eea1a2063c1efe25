/**
 * Migration 0099 creates the ledger's 15-minute spend buckets (per key and per tenant) and fills them from
 * the usage events already stored, so budget levels read the same spend across the upgrade; from then on
 * the triggers keep them, counting an event the ledger already holds (ON CONFLICT DO NOTHING) once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { loadMigrations, migrate } from "../db/migrate.ts";
import { SPEND_BUCKET_MS } from "../budgets/spend-windows.ts";

let db: TestDatabase;
let sql: postgres.Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await db?.drop();
});

const insert = (id: string, time: string, key: string, region: string, cost: number, tenant = "ten_a") => sql`
  insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
    input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
  values (${id}, ${time}, 'req', ${region}, 1, ${tenant}, ${key}, 'chat', 'chat', false, 1, 1, 0, 0, 0, ${cost}, 5, 'ok', 1)
  on conflict (event_id) do nothing`;

const buckets = () => sql`
  select 'key' as owner, key_id as id, bucket_start, region, cost_micros::text as cost, events::int as events from usage_key_spend_buckets
  union all select 'tenant', tenant_id, bucket_start, region, cost_micros::text, events::int from usage_tenant_spend_buckets
  order by 1, 2, 3, 4`;

test("usage events stored before 0099 are in the buckets after it; the triggers keep them from then on", async () => {
  const all = await loadMigrations();
  await migrate(sql, all.filter((m) => m.version < 99));
  await insert("evt_1", "2026-03-01T00:00:00Z", "key_a", "eu", 10);
  await insert("evt_2", "2026-03-01T00:14:59.999Z", "key_a", "eu", 20);
  await insert("evt_3", "2026-03-01T00:15:00Z", "key_a", "eu", 40);
  await insert("evt_4", "2026-03-01T00:05:00Z", "key_a", "us", 80);
  await insert("evt_5", "2026-03-01T00:05:00Z", "key_b", "eu", 160);
  await insert("evt_7", "2026-03-01T00:05:00Z", "key_c", "eu", 320, "ten_c");
  await migrate(sql, all);
  const bucket = (owner: string, id: string, at: string, region: string, cost: number, events: number) => ({ owner, id, bucket_start: new Date(at), region, cost: String(cost), events });
  expect([...(await buckets())]).toEqual([
    bucket("key", "key_a", "2026-03-01T00:00:00Z", "eu", 30, 2),
    bucket("key", "key_a", "2026-03-01T00:00:00Z", "us", 80, 1),
    bucket("key", "key_a", "2026-03-01T00:15:00Z", "eu", 40, 1),
    bucket("key", "key_b", "2026-03-01T00:00:00Z", "eu", 160, 1),
    bucket("key", "key_c", "2026-03-01T00:00:00Z", "eu", 320, 1),
    bucket("tenant", "ten_a", "2026-03-01T00:00:00Z", "eu", 190, 3),
    bucket("tenant", "ten_a", "2026-03-01T00:00:00Z", "us", 80, 1),
    bucket("tenant", "ten_a", "2026-03-01T00:15:00Z", "eu", 40, 1),
    bucket("tenant", "ten_c", "2026-03-01T00:00:00Z", "eu", 320, 1),
  ]);
  // An id already stored is not counted again; a new one is.
  await insert("evt_1", "2026-03-01T00:00:00Z", "key_a", "eu", 10);
  await insert("evt_6", "2026-03-01T00:01:00Z", "key_a", "eu", 1);
  const after = await buckets();
  expect([after[0], after[5]]).toEqual([bucket("key", "key_a", "2026-03-01T00:00:00Z", "eu", 31, 3), bucket("tenant", "ten_a", "2026-03-01T00:00:00Z", "eu", 191, 4)]);
  // The database's grid is the one ledgerSpendByRegion reads by (spend-windows.ts).
  const [{ edge }] = await sql<[{ edge: Date }]>`select usage_spend_bucket('2026-03-01T05:44:59.999+00') as edge`;
  expect(edge.getTime() % SPEND_BUCKET_MS).toBe(0);
  expect(edge.toISOString()).toBe("2026-03-01T05:30:00.000Z");
  await sql`truncate usage_events`;
  expect([...(await buckets())]).toEqual([]);
});
