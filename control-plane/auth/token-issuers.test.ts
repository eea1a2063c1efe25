/**
 * Final read fr-gov2 (cost under the config lock): rule 2 of changes/approval-is-authors.ts asks who
 * issued, transitively up the token chain, the token an act was done with. It walked that chain one
 * token per level, and with hourly self-renewal a chain grows ~8,760 tokens a year: approveChange took
 * 2 s at a year, 11 s at four (past the config lock's 10 s timeout, BUSY for everyone queued). Each
 * token now stores its issuers when issued (`issuers`: its parent token's ∪ its own issuer), migration
 * 0111 backfilling the tokens issued before, and the walk reads that set instead of the chain.
 */
import { expect, test } from "bun:test";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { actParties } from "../changes/approval-is-authors.ts";
import { loadMigrations, migrate } from "../db/migrate.ts";
import { adminClient } from "../../infra/local/admin-client.ts";
import { principalWith } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
const database = useTestDatabase({ max: 2 });
const issuersOf = async (jti: string) => [...((await t.openSql()<{ issuers: string[] }[]>`select issuers from issued_tokens where jti = ${jti}`)[0]?.issuers ?? [])].sort();

test("a token issued stores its chain's issuers: its parent token's and its own issuer", async () => {
  const alice = await principalWith(t.admin, t.cp.url, "alice", [{ role: "admin" }]);
  const [bootstrap] = await issuersOf(alice.jti);
  expect(bootstrap).toStartWith("adm_");
  const ann = await principalWith(alice.client, t.cp.url, "ann", [{ role: "approver" }]);
  expect(await issuersOf(ann.jti)).toEqual([bootstrap!, alice.id].sort());
  const { issueToken } = await ann.client.request<{ issueToken: { token: string; jti: string } }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti } }`, { i: { principalId: ann.id, ttlSeconds: 600 } });
  expect(await issuersOf(issueToken.jti)).toEqual([bootstrap!, alice.id, ann.id].sort());
  const again = await adminClient(t.cp.url, issueToken.token).request<{ issueToken: { jti: string } }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { jti } }`, { i: { principalId: ann.id, ttlSeconds: 600 } });
  expect(await issuersOf(again.issueToken.jti)).toEqual([bootstrap!, alice.id, ann.id].sort());
});

test("rule 2 reads the stored set: a token's issuers are what it was issued with, not a walk of the chain", async () => {
  const sql = t.openSql();
  await sql`insert into principals (id, name, kind, created_by) values ('prn_r1', 'r1', 'person', 'adm_x'), ('prn_r2', 'r2', 'person', 'adm_x')`;
  // The stored set alone names prn_r2: the chain (issued_with) says nothing of it.
  await sql`insert into issued_tokens (jti, principal_id, expires_at, lineage_started_at, issued_by, issued_with, issuers) values
    ('jti_r1', 'prn_r1', now() + interval '1 hour', now(), 'prn_r1', 'jti_gone', array['prn_r1', 'prn_r2'])`;
  const parties = await actParties(sql, "prn_r1", "jti_r1");
  expect([...parties.issuers].sort()).toEqual(["prn_r1", "prn_r2"]);
  expect(parties.behind.has("prn_r2")).toBe(true);
});

test("migration 0111 backfills each existing token's issuers up its chain", async () => {
  const all = await loadMigrations();
  await migrate(database.sql, all.filter((m) => m.version < 111));
  const sql = database.sql;
  await sql`insert into principals (id, name, kind) values ('prn_a', 'a', 'person'), ('prn_b', 'b', 'person'), ('prn_c', 'c', 'person')`;
  await sql`insert into issued_tokens (jti, principal_id, expires_at, issued_by, issued_with) values
    ('jti_1', 'prn_a', now(), 'adm_x', null), ('jti_2', 'prn_a', now(), 'prn_a', 'jti_1'), ('jti_3', 'prn_b', now(), 'prn_a', 'jti_2'),
    ('jti_4', 'prn_b', now(), 'prn_b', 'jti_3'), ('jti_5', 'prn_c', now(), null, null), ('jti_6', 'prn_c', now(), 'prn_c', 'jti_5'),
    ('jti_7', 'prn_c', now(), 'prn_c', 'jti_missing')`;
  await sql`insert into issued_tokens (jti, principal_id, expires_at, issued_by, issued_with)
    select 'jti_d' || g, 'prn_a', now(), 'prn_a', case when g = 0 then 'jti_2' else 'jti_d' || (g - 1) end from generate_series(0, 2000) g`;
  await migrate(sql, all);
  const rows = await sql<{ jti: string; issuers: string[] }[]>`select jti, issuers from issued_tokens where jti not like 'jti_d%' order by jti`;
  expect(Object.fromEntries(rows.map((r) => [r.jti, [...r.issuers].sort()]))).toEqual({
    jti_1: ["adm_x"],
    jti_2: ["adm_x", "prn_a"],
    jti_3: ["adm_x", "prn_a"],
    jti_4: ["adm_x", "prn_a", "prn_b"],
    jti_5: [],
    jti_6: ["prn_c"],
    jti_7: ["prn_c"],
  });
  const [deep] = await sql<{ issuers: string[] }[]>`select issuers from issued_tokens where jti = 'jti_d2000'`;
  expect([...deep!.issuers].sort()).toEqual(["adm_x", "prn_a"]);
});

test("a token row written without its issuers is refused, not stored as issued by no one (migration 0112)", async () => {
  // A control plane of an older release sharing the database during a rolling upgrade writes tokens
  // without `issuers`; with the column's '{}' default rule 2 would read them as issued by no one.
  const sql = database.sql;
  await migrate(sql, await loadMigrations());
  await sql`insert into principals (id, name, kind) values ('prn_old', 'old', 'person') on conflict do nothing`;
  const written = sql`insert into issued_tokens (jti, principal_id, expires_at, lineage_started_at, issued_by, issued_with) values ('jti_old', 'prn_old', now(), now(), 'prn_m', null)`;
  await expect(written).rejects.toThrow(/issuers/);
});
