/**
 * What the launcher can learn about a PostgreSQL database (DATABASE_URL) before it starts the control
 * plane: whether an install already lives there, and whether the admin token the launcher holds is
 * its. A control plane started on someone else's database with a DATA_DIR of its own would generate a
 * new signing key and audit key and republish the configuration under them before the launcher could
 * notice, so this is asked first, read-only.
 *
 * @example await databaseAdminTokens(url, state?.adminToken ?? null) // "empty" | "known" | "unknown"
 */
import postgres from "postgres";
import { hashSecret } from "../../shared/ids.ts";

/** `empty`: no admin token yet (no tables, or none stored); `known`: `token` is one; `unknown`: there are others only. */
export type DatabaseAdminTokens = "empty" | "known" | "unknown";

export async function databaseAdminTokens(databaseUrl: string, token: string | null): Promise<DatabaseAdminTokens> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const [table] = await sql<{ present: boolean }[]>`select to_regclass('admin_tokens') is not null as present`;
    if (!table!.present) return "empty";
    const rows = await sql<{ tokenHash: string }[]>`select token_hash as "tokenHash" from admin_tokens`;
    if (rows.length === 0) return "empty";
    return token !== null && rows.some((row) => row.tokenHash === hashSecret(token)) ? "known" : "unknown";
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The database a URL names, for messages: host, port and name, never the user or password. */
export function describeDatabase(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "the database DATABASE_URL names";
  }
}
