/**
 * GET /health: 200 `{"ok":true}` when the database answers `select 1` within HEALTH_DATABASE_TIMEOUT_MS
 * on the pool the proxies' endpoints use, else 503 `{"ok":false,"database":"unreachable"|"timeout"}`,
 * so a load balancer or readiness probe takes a replica that cannot serve out of rotation. The
 * database's error itself is neither shown nor logged (probes ask every few seconds).
 */
import type { Sql } from "../db/client.ts";
import { DATABASE_RETRY_AFTER_SECONDS } from "../db/database-unavailable.ts";

export const HEALTH_DATABASE_TIMEOUT_MS = 2000;

async function databaseProblem(sql: Sql, timeoutMs: number): Promise<"unreachable" | "timeout" | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  try {
    return await Promise.race([sql`select 1`.then(() => null, () => "unreachable" as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function handleHealth(sql: Sql, timeoutMs = HEALTH_DATABASE_TIMEOUT_MS): Promise<Response> {
  const problem = await databaseProblem(sql, timeoutMs);
  const headers = { "cache-control": "no-store" };
  if (!problem) return Response.json({ ok: true }, { headers });
  return Response.json({ ok: false, database: problem }, { status: 503, headers: { ...headers, "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) } });
}
