/**
 * A session holding a tenant's row, as an operator's psql `begin; select ... for update` left open
 * would, and a wait for the control plane's backends to queue on locks (config-lock tests).
 *
 * @example const release = await holdTenantRow(t.db.url, tenantId); try { ... } finally { await release(); }
 */
import postgres from "postgres";

/** Another session locks the tenant's row until the returned release() is called. */
export function holdTenantRow(databaseUrl: string, tenantId: string): Promise<() => Promise<void>> {
  return holdInSession(databaseUrl, (tx) => tx`select id from tenants where id = ${tenantId} for update`);
}

/**
 * Another session runs `take` (a statement that takes a lock) in a transaction it keeps open until the
 * returned release() is called; answers once `take` has returned.
 */
export async function holdInSession(databaseUrl: string, take: (tx: postgres.TransactionSql) => Promise<unknown>): Promise<() => Promise<void>> {
  const holder = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let go!: () => void;
  const gate = new Promise<void>((r) => (go = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = holder.begin(async (tx) => {
    await take(tx);
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

/** Resolves once at least `n` backends of the database wait on a lock (within 10 s). */
export async function lockWaiters(sql: postgres.Sql, databaseName: string, n: number): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 10_000; await Bun.sleep(20)) {
    const [w] = await sql`select count(*)::int n from pg_stat_activity where datname = ${databaseName} and wait_event_type = 'Lock'`;
    if (w!.n >= n) return;
  }
  throw new Error(`fewer than ${n} backends waited on a lock`);
}
