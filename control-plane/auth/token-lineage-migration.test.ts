/**
 * Migration 0113 gives every issued token its lineage start (auth/token-lineage.ts): a token someone
 * else issued (an admin, the bootstrap token, or an issuer never recorded) starts its own, at its
 * issued_at; a token a principal issued itself with its own token keeps that token's, however many
 * renewals down, so a chain renewed since long before the upgrade ends when its real start says. A
 * renewal whose parent row is gone starts its own, as the issuers backfill (0111) starts a chain
 * there. A row written without one (an older control plane during a rolling upgrade) is refused.
 */
import { expect, test } from "bun:test";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { loadMigrations, migrate } from "../db/migrate.ts";

const database = useTestDatabase({ max: 2 });
const day = (n: number) => new Date(Date.UTC(2025, 0, n));

test("existing tokens get the issued_at of the first token of their chain that someone else issued", async () => {
  const all = await loadMigrations();
  await migrate(database.sql, all.filter((m) => m.version < 113));
  const sql = database.sql;
  await sql`insert into principals (id, name, kind) values ('prn_a', 'a', 'person'), ('prn_b', 'b', 'person'), ('prn_c', 'c', 'person')`;
  const token = (jti: string, principal: string, issuedAt: Date, by: string | null, withJti: string | null) =>
    sql`insert into issued_tokens (jti, principal_id, issued_at, expires_at, issued_by, issued_with, issuers)
      values (${jti}, ${principal}, ${issuedAt}, ${issuedAt}, ${by}, ${withJti}, '{}')`;
  await token("jti_1", "prn_a", day(1), "adm_x", null);
  await token("jti_2", "prn_a", day(2), "prn_a", "jti_1");
  await token("jti_3", "prn_b", day(3), "prn_a", "jti_2");
  await token("jti_4", "prn_b", day(4), "prn_b", "jti_3");
  await token("jti_5", "prn_c", day(5), null, null);
  await token("jti_6", "prn_c", day(6), "prn_c", "jti_5");
  await token("jti_7", "prn_c", day(7), "prn_c", "jti_missing");
  await sql`insert into issued_tokens (jti, principal_id, issued_at, expires_at, issued_by, issued_with, issuers)
    select 'jti_d' || g, 'prn_a', ${day(8)}::timestamptz, ${day(8)}::timestamptz, 'prn_a', case when g = 0 then 'jti_2' else 'jti_d' || (g - 1) end, '{}'
    from generate_series(0, 2000) g`;
  await migrate(sql, all);
  const rows = await sql<{ jti: string; startedAt: Date }[]>`select jti, lineage_started_at as "startedAt" from issued_tokens where jti not like 'jti_d%' order by jti`;
  expect(Object.fromEntries(rows.map((r) => [r.jti, r.startedAt.toISOString()]))).toEqual({
    jti_1: day(1).toISOString(),
    jti_2: day(1).toISOString(),
    jti_3: day(3).toISOString(),
    jti_4: day(3).toISOString(),
    jti_5: day(5).toISOString(),
    jti_6: day(5).toISOString(),
    jti_7: day(7).toISOString(),
  });
  const [deep] = await sql<{ startedAt: Date }[]>`select lineage_started_at as "startedAt" from issued_tokens where jti = 'jti_d2000'`;
  expect(deep!.startedAt.toISOString()).toBe(day(1).toISOString());
  const written = sql`insert into issued_tokens (jti, principal_id, expires_at, issued_by, issued_with, issuers) values ('jti_old', 'prn_a', now(), 'prn_a', 'jti_1', '{}')`;
  await expect(written).rejects.toThrow(/lineage_started_at/);
});
