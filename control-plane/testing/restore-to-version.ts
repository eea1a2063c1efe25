/**
 * A control-plane database restored from a backup taken at config version `backupAt`, as tests stage
 * it: the keys made after the backup (named by `keysLike`), every snapshot, config state and config
 * version past it are gone, and the version counter is back at `backupAt`, so the next change is
 * handed `backupAt + 1` again.
 *
 * @example const backupAt = await latestConfigVersion(db); ...; await restoreToVersion(db, backupAt, "after-backup-%");
 */
import type postgres from "postgres";

/** The newest config version handed out. */
export async function latestConfigVersion(db: postgres.Sql): Promise<number> {
  return (await db<{ v: number }[]>`select max(version)::int as v from config_versions`)[0]!.v;
}

export async function restoreToVersion(db: postgres.Sql, backupAt: number, keysLike: string): Promise<void> {
  await db`delete from gateway_keys where name like ${keysLike}`;
  await db`delete from snapshots where version > ${backupAt}`;
  await db`delete from config_states where version > ${backupAt}`;
  await db`delete from config_versions where version > ${backupAt}`;
  await db`select setval(pg_get_serial_sequence('config_versions', 'version'), ${backupAt})`;
}
