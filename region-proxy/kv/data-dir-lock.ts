/**
 * One usage outbox per data dir. Two proxies on one DATA_DIR (or a restarted one whose old process is
 * still alive) would both drain the same proxy.kv: each keeps its own count of what is stored (so
 * /health shows negative backlogs and the cap is not enforced) and both send the same events.
 *
 * The lock is an exclusive SQLite lock (`locking_mode=EXCLUSIVE`, `BEGIN EXCLUSIVE`) on
 * `<dataDir>/outbox.lock`, held for as long as the outbox runs: a POSIX record lock, so the kernel
 * drops it when its process dies, however it dies (no stale lock to detect, and a reused pid, as in
 * containers where the proxy is always pid 1, cannot fool it); SQLite also refuses a second lock from
 * another connection of the same process. `outbox.lock.owner` names the holder (pid, host, since)
 * for the error message; one still there when the lock is taken was left by a process that died
 * holding it, and is reported as `previousOwner`.
 *
 * @example const lock = lockOutboxDir(dataDir); ... lock.release();
 */
import { Database } from "bun:sqlite";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

export const OUTBOX_LOCK_FILE = "outbox.lock";
const OWNER_FILE = "outbox.lock.owner";

export interface OutboxDirLock {
  /** Who held the lock before and died without releasing it ("pid N on host H since T"); null after a clean release. */
  previousOwner: string | null;
  /** Gives the lock up (idempotent). */
  release(): void;
}

/** Takes the data dir's outbox lock, or throws naming the dir (and the holder) when another live process or outbox has it. */
export function lockOutboxDir(dataDir: string): OutboxDirLock {
  const ownerPath = join(dataDir, OWNER_FILE);
  let db: Database | null = null;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    db = new Database(join(dataDir, OUTBOX_LOCK_FILE), { create: true });
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    db?.close();
    if ((error as { code?: unknown }).code === "SQLITE_BUSY") {
      throw new Error(
        `the usage outbox of data dir ${dataDir} is in use by another live process or outbox (${describeOwner(ownerPath) ?? "holder unknown"}): each proxy needs a DATA_DIR of its own; stop the other one first`,
      );
    }
    throw new Error(`the usage outbox of data dir ${dataDir} cannot be locked: ${(error as Error).message}`);
  }
  const previousOwner = describeOwner(ownerPath);
  writeFileSync(ownerPath, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
  let held = true;
  return {
    previousOwner,
    release() {
      if (!held) return;
      held = false;
      // The owner file first: once the lock is free, the next holder writes its own.
      rmSync(ownerPath, { force: true });
      db!.close();
    },
  };
}

/**
 * True when the owner file names this process (pid and host: in containers every proxy may be pid 1):
 * its own outbox holds the dir's lock. Meaningful only after `lockOutboxDir` was refused (a thread of
 * this process is refused the lock all the same, as another process is).
 */
export function lockHeldByThisProcess(dataDir: string): boolean {
  try {
    const { pid, host } = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), "utf8")) as { pid?: unknown; host?: unknown };
    return pid === process.pid && host === hostname();
  } catch {
    return false;
  }
}

function describeOwner(ownerPath: string): string | null {
  let text: string;
  try {
    text = readFileSync(ownerPath, "utf8");
  } catch {
    return null;
  }
  try {
    const { pid, host, since } = JSON.parse(text) as { pid?: unknown; host?: unknown; since?: unknown };
    return `pid ${String(pid)} on host ${String(host)} since ${String(since)}`;
  } catch {
    return `owner file ${ownerPath} unreadable`;
  }
}
