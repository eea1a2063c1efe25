/**
 * For the plan tests of the migrations that backfill issued_tokens by walking every token chain (0111's
 * issuers, 0113's lineage start): the schema before the migration with CHAINS chains of CHAIN_LENGTH
 * tokens, never analyzed (a token the bootstrap `adm_x` issued, then its principal's renewals, each
 * with the one before); the walk explained as the migration runs it (the file's own text up to the walk,
 * then the walk, in a transaction rolled back); and the server's join settings, to compare with those a
 * migration after the walk plans with.
 *
 * @example const walk = useTokenChainWalk(113, "with recursive lineage");
 *          expect(await walk.plan()).toContain("Index Scan using issued_tokens_issued_with_idx");
 */
import { beforeAll } from "bun:test";
import type postgres from "postgres";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { loadMigrations, migrate, type Migration } from "../db/migrate.ts";

export const CHAINS = 5;
export const CHAIN_LENGTH = 1000;

export interface TokenChainWalk {
  readonly sql: postgres.Sql;
  /** Every migration, and the one walking the chains. */
  readonly all: Migration[];
  readonly migration: Migration;
  /** The walk's plan (EXPLAIN, costs off), one line a node. */
  plan(): Promise<string>;
  /** enable_hashjoin and enable_mergejoin as the server sets them now. */
  joinSettings(): Promise<{ hashjoin: string; mergejoin: string }>;
}

/** A probe migration run after `version`: it stores the join settings it plans with in settings_probe. */
export const SETTINGS_PROBE: Migration = {
  version: 9999,
  name: "9999_settings_probe.sql",
  sql: `create table settings_probe as select current_setting('enable_hashjoin') as hashjoin, current_setting('enable_mergejoin') as mergejoin`,
};

/** A database of its own migrated to just before `version`, seeded with the chains; `walkStart` is the text the walk begins with. */
export function useTokenChainWalk(version: number, walkStart: string): TokenChainWalk {
  const database = useTestDatabase({ max: 2 });
  let all: Migration[] = [];
  let migration: Migration | undefined;
  beforeAll(async () => {
    const sql = database.sql;
    all = await loadMigrations();
    migration = all.find((m) => m.version === version)!;
    await migrate(sql, all.filter((m) => m.version < version));
    await sql`insert into principals (id, name, kind) select 'prn_' || c, 'p' || c, 'person' from generate_series(0, ${CHAINS - 1}) c`;
    // issuers has no default from 0112 on: given where the column exists.
    const issuers = version > 111 ? sql`, issuers` : sql``;
    const noIssuers = version > 111 ? sql`, '{}'` : sql``;
    await sql`insert into issued_tokens (jti, principal_id, issued_at, expires_at, issued_by, issued_with ${issuers})
      select 'jti_' || g, 'prn_' || (g / ${CHAIN_LENGTH}), now(), now(),
        case when g % ${CHAIN_LENGTH} = 0 then 'adm_x' else 'prn_' || (g / ${CHAIN_LENGTH}) end,
        case when g % ${CHAIN_LENGTH} = 0 then null else 'jti_' || (g - 1) end ${noIssuers}
      from generate_series(0, ${CHAINS * CHAIN_LENGTH - 1}) g`;
  }, 60_000);
  return {
    get sql() {
      return database.sql;
    },
    get all() {
      return all;
    },
    get migration() {
      return migration!;
    },
    async plan() {
      const text = migration!.sql;
      const walkAt = text.indexOf(walkStart);
      const walk = text.slice(walkAt, text.indexOf(";", walkAt));
      const conn = await database.sql.reserve();
      try {
        await conn.unsafe("begin");
        // What the migration runs before the walk (its column, analyze and settings), then the walk explained.
        await conn.unsafe(text.slice(0, walkAt));
        const rows = await conn.unsafe(`explain (costs off) ${walk}`);
        return rows.map((r) => (r as Record<string, string>)["QUERY PLAN"]).join("\n");
      } finally {
        await conn.unsafe("rollback");
        conn.release();
      }
    },
    async joinSettings() {
      const [settings] = await database.sql<{ hashjoin: string; mergejoin: string }[]>`select
        current_setting('enable_hashjoin') as hashjoin, current_setting('enable_mergejoin') as mergejoin`;
      return settings!;
    },
  };
}
