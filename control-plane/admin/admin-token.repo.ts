/** Admin bearer tokens, stored as SHA-256 only. */
import { hashSecret, newId, newToken } from "../../shared/ids.ts";
import type { Queryable, Sql } from "../db/client.ts";

/** The admin id a bearer token belongs to, or null. */
export async function adminForToken(q: Queryable, token: string): Promise<string | null> {
  const [row] = await q<{ id: string }[]>`select id from admin_tokens where token_hash = ${hashSecret(token)}`;
  return row?.id ?? null;
}

/**
 * Makes sure someone can log in: registers the configured token if given, else on an empty table
 * creates one, hands it to `deliver` before it is stored (a token nobody received must not lock the
 * table: if delivery fails nothing is stored and the next start tries again) and returns it.
 */
export async function ensureAdminToken(sql: Sql, configured: string | null | undefined, deliver: (token: string) => Promise<unknown> = async () => {}): Promise<string | null> {
  if (configured) {
    await sql`insert into admin_tokens (id, token_hash) values (${newId("adm")}, ${hashSecret(configured)})
      on conflict (token_hash) do nothing`;
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
