/**
 * Another session holding the config lock, as a long admin transaction would: admin mutations queue
 * behind it until release() (config-lock, approve/apply and republish tests).
 *
 * @example const release = await holdConfigLock(t.db.url); try { ... } finally { await release(); }
 */
import postgres from "postgres";
import { CONFIG_LOCK_ID } from "../audit/config-lock.ts";

/** Another session takes the config lock and keeps it until the returned release() is called. */
export async function holdConfigLock(databaseUrl: string): Promise<() => Promise<void>> {
  const holder = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let go!: () => void;
  const gate = new Promise<void>((r) => (go = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = holder.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${CONFIG_LOCK_ID})`;
    locked();
    await gate;
  });
  await isLocked;
  return async () => {
    go();
    await done;
    await holder.end();
  };
}
