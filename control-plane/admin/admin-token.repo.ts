/** Admin bearer tokens, stored as SHA-256 only. */
import { hashSecret, newId, newToken } from "../../shared/ids.ts";
import type { Queryable, Sql } from "../db/client.ts";
import { appendAudit } from "../audit/audit.repo.ts";
import { CONFIG_LOCK_ID } from "../audit/run-audited.ts";

/** Who a rotation through the ADMIN_TOKEN setting is attributed to in the audit log. */
export const ADMIN_TOKEN_SETTING = "system:config";

/** The admin id a bearer token belongs to, or null. */
export async function adminForToken(q: Queryable, token: string): Promise<string | null> {
  const [row] = await q<{ id: string }[]>`select id from admin_tokens where token_hash = ${hashSecret(token)}`;
  return row?.id ?? null;
}

/**
 * Makes sure someone can log in: with a configured token, makes it the only bootstrap token
 * (installConfiguredToken); else on an empty table creates one, hands it to `deliver` before it is
 * stored (a token nobody received must not lock the table: if delivery fails nothing is stored and the
 * next start tries again) and returns it.
 */
export async function ensureAdminToken(sql: Sql, configured: string | null | undefined, deliver: (token: string) => Promise<unknown> = async () => {}): Promise<string | null> {
  if (configured) {
    await installConfiguredToken(sql, configured);
    return null;
  }
  return sql.begin(async (tx) => {
    // Two first starts must not both mint a token.
    await tx`lock table admin_tokens in exclusive mode`;
    const [existing] = await tx`select 1 from admin_tokens limit 1`;
    if (existing) return null;
    const token = newToken("adm");
    await deliver(token);
    await tx`insert into admin_tokens (id, token_hash) values (${newId("adm")}, ${hashSecret(token)})`;
    return token;
  }) as Promise<string | null>;
}

/**
 * The configured token becomes the bootstrap token, and the only one: changing ADMIN_TOKEN revokes the
 * previous token (a generated one too), which is how a leaked break-glass token is retired. The stored
 * row keeps its `adm_` id (the one matching the token, else the oldest), so audit rows and approvals
 * still name the bootstrap admin; the rotation is audited as `adminToken.rotate`.
 */
async function installConfiguredToken(sql: Sql, configured: string): Promise<void> {
  const hash = hashSecret(configured);
  await sql.begin(async (tx) => {
    // The config lock first, as every audited change takes it, then the table.
    await tx`select pg_advisory_xact_lock(${CONFIG_LOCK_ID})`;
    await tx`lock table admin_tokens in exclusive mode`;
    const rows = await tx<{ id: string; tokenHash: string }[]>`select id, token_hash as "tokenHash" from admin_tokens order by created_at, id`;
    const kept = rows.find((r) => r.tokenHash === hash) ?? rows[0];
    if (!kept) {
      await tx`insert into admin_tokens (id, token_hash) values (${newId("adm")}, ${hash})`;
      return;
    }
    const revoked = rows.filter((r) => r.tokenHash !== hash).length;
    if (revoked === 0) return;
    await tx`delete from admin_tokens where id <> ${kept.id}`;
    await tx`update admin_tokens set token_hash = ${hash} where id = ${kept.id}`;
    await appendAudit(tx, { actor: ADMIN_TOKEN_SETTING, clientAddress: null, action: "adminToken.rotate", target: kept.id, after: { revokedTokens: revoked } });
  });
}
