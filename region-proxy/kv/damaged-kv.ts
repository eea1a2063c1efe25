/**
 * A damaged proxy.kv (check-kv-file.ts) is set aside, never deleted, and the proxy starts on a fresh
 * one holding what could be salvaged of its usage outbox (salvage-outbox.ts), with one log line that
 * says where the file went, why, and how many events were salvaged: the others are not shipped.
 *
 * The steps, each safe to cut short by a crash: (1) salvage into `proxy.kv.salvaging` (a leftover of
 * an earlier try is a partial copy of a file still in place, and is started again); (2) move
 * proxy.kv, -wal and -shm to `proxy.kv.damaged-<ISO time>` (-wal, -shm): SQLite still reads the kept
 * file with its -wal under that name; (3) move the salvage copy to proxy.kv. A start that finds
 * `proxy.kv.salvaging` but no proxy.kv was cut between (2) and (3), and finishes (3) first.
 *
 * Moving the file away from a proxy that still has it open would split its writes from its next
 * start, so the dir's outbox lock (data-dir-lock.ts) is taken first: another live process on the dir
 * makes the start fail, the file untouched. This process's own outbox holding it (its thread opens KV
 * after the lock) is fine.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import { lockHeldByThisProcess, lockOutboxDir, type OutboxDirLock } from "./data-dir-lock.ts";
import type { Kv } from "./open-kv.ts";
import { salvageOutbox, type SalvageCount } from "./salvage-outbox.ts";

const SIDE_FILES = ["", "-wal", "-shm"];
const salvagePath = (path: string) => `${path}.salvaging`;

/** Finishes a repair cut short after the damaged file was moved aside (step 3 above); no-op otherwise. */
export function finishInterruptedRepair(path: string): void {
  if (!existsSync(path) && existsSync(salvagePath(path))) moveKvFiles(salvagePath(path), path);
}

/**
 * Sets the damaged file at `path` aside and leaves a fresh one with its salvaged outbox in its place.
 * `open` opens a Deno KV file (the salvage copy); throws, the file untouched, while another live
 * process holds the data dir.
 */
export async function replaceDamagedKv(dataDir: string, path: string, why: string, open: (path: string) => Promise<Kv>, log: (line: string) => void): Promise<void> {
  const lock = lockForRepair(dataDir, path, why);
  try {
    if (lock?.previousOwner) log(`usage outbox: took over the lock of data dir ${dataDir} from ${lock.previousOwner}, which exited without releasing it`);
    const copy = salvagePath(path);
    // A partial copy from an earlier try: the damaged file it came from is still at `path`.
    for (const suffix of SIDE_FILES) rmSync(copy + suffix, { force: true });
    const kv = await open(copy);
    let salvaged: SalvageCount;
    try {
      salvaged = await salvageOutbox(path, kv);
    } finally {
      kv.close();
    }
    const aside = `${path}.damaged-${new Date().toISOString()}`;
    moveKvFiles(path, aside);
    moveKvFiles(copy, path);
    log(
      `kv: ${path} is damaged (${why}); moved aside to ${aside} (kept, with its -wal and -shm if any) and replaced by a fresh file; ` +
        describeSalvage(salvaged) +
        "; usage events left only in the file set aside are not shipped",
    );
  } catch (error) {
    // Each step left the files where the next start finds them (see above); nothing was deleted.
    throw new Error(`the proxy's KV file ${path} is damaged (${why}) and could not be replaced (${(error as Error).message}): free the disk or fix the dir's permissions and start again, or move the file (and its -wal, -shm) away by hand`);
  } finally {
    lock?.release();
  }
}

/** The dir's lock for the repair, or null when this process's own outbox holds it; throws when another process does. */
function lockForRepair(dataDir: string, path: string, why: string): OutboxDirLock | null {
  try {
    return lockOutboxDir(dataDir);
  } catch (error) {
    if (lockHeldByThisProcess(dataDir)) return null;
    throw new Error(`the proxy's KV file ${path} is damaged (${why}), but it is not set aside while ${(error as Error).message}`);
  }
}

function describeSalvage({ entries, events, quarantined, error }: SalvageCount): string {
  const stopped = error === null ? "" : ` (the salvage stopped early: ${error})`;
  if (entries + quarantined === 0) return `no usage event could be salvaged from it${stopped}`;
  const quarantine = quarantined > 0 ? ` and ${quarantined} quarantined entries` : "";
  return `${events} usage events salvaged from it into the fresh file, to be shipped (${entries} outbox entries${quarantine})${stopped}`;
}

/** Renames a KV file and its -wal and -shm (those that exist). */
function moveKvFiles(from: string, to: string): void {
  for (const suffix of SIDE_FILES) if (existsSync(from + suffix)) renameSync(from + suffix, to + suffix);
}
