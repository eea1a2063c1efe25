/**
 * Whether an error means the database cannot be reached or is not taking work now (refused or lost
 * connection, PostgreSQL starting up or shutting down, out of connections), as opposed to a bug or a
 * bad statement: such a request is answered 503 "database unavailable", to be retried, not 500.
 */

/** The `postgres` client's own codes for a connection it could not open or lost, and the socket's. */
const CLIENT_CODES = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * PostgreSQL's: class 08 (connection exception), 53300 too_many_connections, 57P01-57P03
 * (admin_shutdown, crash_shutdown, cannot_connect_now).
 */
function unavailableSqlState(code: string): boolean {
  return code.startsWith("08") || code === "53300" || code === "57P01" || code === "57P02" || code === "57P03";
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown } | null;
  if (typeof e?.code !== "string") return false;
  if (e.name === "PostgresError") return unavailableSqlState(e.code);
  return CLIENT_CODES.has(e.code);
}

/** What a client is told to wait before retrying (Retry-After, seconds). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
