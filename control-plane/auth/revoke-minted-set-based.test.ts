/**
 * Final read fr-gov2 (cost under the config lock): revokeMintedTokens read, revoked, audited and
 * stale-marked the tokens minted with a revoked one a token at a time, two issued_tokens statements
 * and one change_requests statement each besides the audit row: revoking the root of a year of
 * hourly self-renewal (8,760 tokens) held the config lock 44-56 s. Now one statement revokes them all
 * (UPDATE ... RETURNING) and one finds the open requests they proposed. The audit rows are still
 * appended one at a time (audit.repo.ts appendAudit has no bulk form).
 */
import { expect, test } from "bun:test";
import type { Tx } from "../db/client.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { revokeMintedTokens } from "./revoke-minted-tokens.ts";

const t = useTestControlPlane();
const who = { id: "system:test", clientAddress: null };

test("the tokens minted with a revoked one are revoked and audited with a constant number of token statements", async () => {
  const sql = t.openSql();
  await sql`insert into principals (id, name, kind) values ('prn_m', 'm', 'person')`;
  await sql`insert into issued_tokens (jti, principal_id, expires_at, lineage_started_at, issued_by, issued_with, issuers)
    select 'jti_m' || g, 'prn_m', now() + interval '1 hour', now(), 'prn_m', case when g = 0 then null else 'jti_m' || (g - 1) end, array['prn_m'] from generate_series(0, 50) g`;
  await sql`update issued_tokens set revoked_at = now() where jti in ('jti_m0', 'jti_m7')`;
  const statements: string[] = [];
  await sql.begin(async (tx) => {
    const counted = new Proxy(tx, {
      apply(target, self, args: [TemplateStringsArray, ...unknown[]]) {
        if (Array.isArray(args[0])) statements.push(args[0].join("?"));
        return Reflect.apply(target as never, self, args);
      },
    }) as unknown as Tx;
    await revokeMintedTokens(counted, "jti_m0", who);
  });
  expect(statements.filter((s) => s.includes("issued_tokens")).length).toBeLessThanOrEqual(1);
  expect(statements.filter((s) => s.includes("change_requests")).length).toBeLessThanOrEqual(1);
  const live = await sql`select jti from issued_tokens where revoked_at is null`;
  expect(live.length).toBe(0);
  const rows = await sql<{ target: string; before: { revokedAt: string | null }; after: { revokedWith: string; mintedWith: string } }[]>`
    select target, before, after from audit_log where action = 'token.revoke' order by id`;
  // jti_m7 was revoked on its own before: passed over, as before.
  expect(rows.map((r) => r.target)).toEqual(Array.from({ length: 50 }, (_, i) => `jti_m${i + 1}`).filter((j) => j !== "jti_m7"));
  expect(rows[0]!.before.revokedAt).toBeNull();
  expect(rows.find((r) => r.target === "jti_m10")!.after).toMatchObject({ revokedWith: "jti_m0", mintedWith: "jti_m9" });
});
