/**
 * Is proxy.kv damaged? Asked before Deno KV opens it: on a damaged file Deno KV either throws a bare
 * "database disk image is malformed" (a file cut short) or panics in its native layer ("KV queue
 * cleanup failed", torn pages) and aborts the process, so the replica would crash-loop until someone
 * deletes the file by hand (damaged-kv.ts sets it aside instead).
 *
 * The check is SQLite's `PRAGMA quick_check` (every page's structure, not the indexes' agreement with
 * their tables) on a read-only connection that changes neither the file nor its -wal: with no -wal it
 * opens the file `immutable` (SQLite creates no -wal or -shm, takes no lock); with a -wal (a process
 * died, or another one runs on it) it reads through it, which may only rebuild the -shm, an index of
 * the -wal that SQLite rebuilds anyway. Its cost is one read of the file: measured here on a file of
 * 100,000 outbox events (4 MB) 6-11 ms; at the default cap of 5 million events (210 MB) 0.1 s with the
 * file in the page cache and 2 s from a cold disk, a read the outbox's count at open (about 3.5 s per
 * million events) makes anyway and then finds in the cache. It runs at each open: the proxy's and,
 * just after, its outbox thread's (from the cache).
 */
import { constants, Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** SQLite's primary result codes that mean a damaged file (extended codes keep them in their low byte). */
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;
/** An error from opening the file (here or in Deno KV) that says it is damaged. */
const DAMAGED_MESSAGE = /malformed|not a database|corrupt/i;

/** Why the KV file at `path` is damaged, or null when it is sound, missing, or cannot be checked for another reason (the open then reports it). */
export function kvFileDamage(path: string): string | null {
  if (!existsSync(path)) return null;
  let db: Database | null = null;
  try {
    db = existsSync(`${path}-wal`) ? new Database(path, { readonly: true }) : new Database(immutableUri(path), constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI);
    // A writer of the same file (another process) may hold the WAL's recovery lock for a moment.
    db.exec("PRAGMA busy_timeout = 2000");
    const result = String(db.query("PRAGMA quick_check(1)").values()[0]?.[0]);
    return result === "ok" ? null : `quick_check: ${result.replaceAll("\n", " ").slice(0, 200)}`;
  } catch (error) {
    return isDamageError(error) ? (error as Error).message : null;
  } finally {
    db?.close();
  }
}

/** True for an error (SQLite's or Deno KV's) that says the file is damaged, rather than unreadable for another reason (permissions, a full disk). */
export function isDamageError(error: unknown): boolean {
  const errno = (error as { errno?: unknown }).errno;
  if (typeof errno === "number" && ((errno & 0xff) === SQLITE_CORRUPT || (errno & 0xff) === SQLITE_NOTADB)) return true;
  return DAMAGED_MESSAGE.test((error as Error)?.message ?? "");
}

/** `path` as a read-only, immutable SQLite URI (characters that mean something in a URI escaped). */
function immutableUri(path: string): string {
  return `file:${resolve(path).replace(/[%?#]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}?immutable=1`;
}
