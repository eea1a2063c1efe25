/**
 * For plan tests: a migrated database of its own (dropped after the file), a way to record the exact
 * statements a repo function sends (postgres.js `debug`) and to EXPLAIN one of them with the parameters
 * it was sent with, over a small ledger analyzed: orgs ten_a, ten_b, ten_c, each with teams <org>1 and
 * <org>2, a key `key_<tenant>` each, and PLAN_EVENTS usage events spread evenly over the PLAN_DAYS days
 * from PLAN_FROM across the tenants and regions eu and us, stored through the spend-bucket triggers.
 * A few thousand rows are enough for a statement that cannot estimate its tenants (a recursive CTE) to
 * plan a Seq Scan of the ledger, where an array of ids reads it through its indexes.
 */
import postgres from "postgres";
import { afterAll, beforeAll } from "bun:test";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { migrate } from "../db/migrate.ts";

export interface Statement {
  query: string;
  params: unknown[];
}

export interface PlanDatabase {
  sql: postgres.Sql;
  /** Runs `work` on a client that records every statement it sends; returns them, in order. */
  capture(work: (q: postgres.Sql) => Promise<unknown>): Promise<Statement[]>;
  /** The statement's plan (EXPLAIN, costs off), one line a node. */
  plan(statement: Statement): Promise<string>;
}

/** The tenants the database is seeded with: three orgs of two teams each. */
export const PLAN_TENANTS = ["ten_a", "ten_a1", "ten_a2", "ten_b", "ten_b1", "ten_b2", "ten_c", "ten_c1", "ten_c2"];
export const PLAN_EVENTS = 6000;
export const PLAN_DAYS = 20;
export const PLAN_FROM = "2026-03-01T00:00:00Z";

/** Registers the beforeAll/afterAll that make and drop the database; read the fields in tests. */
export function usePlanDatabase(): PlanDatabase {
  let db: TestDatabase | undefined;
  let recorder: postgres.Sql | undefined;
  let recorded: Statement[] = [];
  const out = {} as PlanDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    out.sql = postgres(db.url, { max: 2, onnotice: () => {} });
    recorder = postgres(db.url, { max: 1, onnotice: () => {}, debug: (_c, query, params) => recorded.push({ query, params: params as unknown[] }) });
    await migrate(out.sql as never);
    for (const org of ["a", "b", "c"]) {
      await out.sql`insert into tenants (id, name, kind) values (${`ten_${org}`}, ${org}, 'organization')`;
      for (const team of [1, 2]) await out.sql`insert into tenants (id, name, kind, parent_id) values (${`ten_${org}${team}`}, ${`${org}${team}`}, 'team', ${`ten_${org}`})`;
    }
    await out.sql`insert into gateway_keys (id, tenant_id, name, prefix, key_hash, lineage_id)
      select 'key_' || id, id, 'k', 'gw_', md5(id), 'key_' || id from unnest(${PLAN_TENANTS}::text[]) id`;
    await out.sql`
      insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, feature_id, alias, endpoint, vendor_model,
        stream, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
      select 'evt_' || i, ${PLAN_FROM}::timestamptz + i * (${PLAN_DAYS} * interval '1 day' / ${PLAN_EVENTS}), 'req', case when i % 2 = 0 then 'eu' else 'us' end, 1,
             t, 'key_' || t, 'feat' || (i % 7), 'chat', 'chat', 'model' || (i % 3), false, 1, 1, 0, 0, 0, 5, 5, 'ok', 1
      from generate_series(0, ${PLAN_EVENTS - 1}) i, lateral (select (${PLAN_TENANTS}::text[])[1 + i % ${PLAN_TENANTS.length}] as t) pick`;
    await out.sql`analyze`;
  });
  afterAll(async () => {
    await recorder?.end({ timeout: 1 });
    await out.sql?.end({ timeout: 1 });
    await db?.drop();
  });
  out.capture = async (work) => {
    recorded = [];
    await work(recorder!);
    const statements = recorded;
    recorded = [];
    return statements;
  };
  out.plan = async ({ query, params }) => {
    const rows = await out.sql.unsafe(`explain (costs off) ${query}`, params as never[]);
    return rows.map((r) => (r as Record<string, string>)["QUERY PLAN"]).join("\n");
  };
  return out;
}
