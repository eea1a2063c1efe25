/**
 * The config lock, taken by every configuration change and audited action, with a bound on how long
 * the transaction holding or waiting for it may wait. Without one, a session holding a tenant's row
 * (an operator's `select ... for update` left open, a long migration) kept the mutation needing that
 * row waiting forever with the config lock held, and every later admin mutation waiting on the lock.
 *
 * The bounds are set with `set_config(…, true)` (`set local`: they end with the transaction) as the
 * transaction's first statement, never as startup parameters, so they pass any pooler (see
 * Database.reports). `lock_timeout` ends each lock wait, the config lock's and a row's alike (SQLSTATE
 * 55P03), and `statement_timeout` any one statement (57014); either answers a BUSY GraphQL error.
 * Their values (CONFIG_LOCK_TIMEOUT_MS, CONFIG_STATEMENT_TIMEOUT_MS) are the pool's: the control plane
 * gives them to its pools at start (boundConfigLock), and inConfigLock finds them through the handle it
 * is given, as appendAudit finds the audit key (audit-key.ts), so its callers pass only the pool.
 *
 * @example return inConfigLock(deps.sql, async (tx) => { ... });
 */
import { GraphQLError } from "graphql";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import type { Queryable, Sql, Tx } from "../db/client.ts";
import type { AuditActor } from "./audit-actor.ts";

/** Serialises config changes and audit appends so versions, snapshots and the chain stay in commit order. */
export const CONFIG_LOCK_ID = 0x63666767;

export interface ConfigLockBounds {
  /**
   * How long an admin transaction waits for any one lock (CONFIG_LOCK_TIMEOUT_MS): the config lock
   * (other admins' changes, each usually well under a second, a few seconds when publishing a very
   * large configuration) or a row.
   */
  lockTimeoutMs: number;
  /** How long any one statement of an admin transaction may run (CONFIG_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs: number;
}

export const DEFAULT_CONFIG_LOCK_BOUNDS: ConfigLockBounds = { lockTimeoutMs: 10_000, statementTimeoutMs: 30_000 };

const LOCK_NOT_AVAILABLE = "55P03";
const QUERY_CANCELED = "57014";
/** PostgreSQL broke a lock cycle by ending this transaction; nothing of it committed. */
const DEADLOCK_DETECTED = "40P01";
const SERIALIZATION_FAILURE = "40001";
const BUSY_CODES = new Set([LOCK_NOT_AVAILABLE, QUERY_CANCELED, DEADLOCK_DETECTED, SERIALIZATION_FAILURE]);

function whatHappened(code: string, bounds: ConfigLockBounds): string {
  if (code === LOCK_NOT_AVAILABLE) return `this change waited ${bounds.lockTimeoutMs} ms for a lock: another change holds it, or a session holds a row it needs`;
  if (code === QUERY_CANCELED) return `this change ran a statement longer than ${bounds.statementTimeoutMs} ms: another change holds it, or a session holds a row it needs`;
  return "this change and another transaction each waited for what the other held, and PostgreSQL ended this one";
}

/** Each pool's bounds, by the identity a pool shares with its transactions (its `json` helper, see audit-key.ts). */
const boundsByPool = new WeakMap<object, ConfigLockBounds>();

/** Gives the pool the bounds its config-lock transactions run with. */
export function boundConfigLock(sql: Sql, bounds: ConfigLockBounds): void {
  boundsByPool.set(sql.json, bounds);
}

/** The bounds of the pool (or of the pool a transaction runs on); the defaults when it was given none. */
export function configLockBounds(q: Queryable): ConfigLockBounds {
  return boundsByPool.get(q.json) ?? DEFAULT_CONFIG_LOCK_BOUNDS;
}

/** Bounds the transaction's waits, then takes the config lock (waiting at most the lock timeout for it). */
export async function takeConfigLock(tx: Tx): Promise<void> {
  const { lockTimeoutMs, statementTimeoutMs } = configLockBounds(tx);
  await tx`select set_config('lock_timeout', ${String(lockTimeoutMs)}, true), set_config('statement_timeout', ${String(statementTimeoutMs)}, true)`;
  await tx`select pg_advisory_xact_lock(${CONFIG_LOCK_ID})`;
}

/** One transaction under the config lock; a lock wait or statement past its bound answers busyError. */
export async function inConfigLock<T>(sql: Sql, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return (await sql.begin(async (tx) => {
      await takeConfigLock(tx);
      return work(tx);
    })) as T;
  } catch (error) {
    throw busyError(error, configLockBounds(sql)) ?? error;
  }
}

/**
 * inConfigLock for an act of `who`: once the lock is taken, and before `work`, the caller is checked
 * again (AuditActor.stillAllowed) in the same transaction. A request authenticated before a
 * revokeToken or revokeRole committed may have queued behind it on this lock: it must not then act
 * with what was taken away.
 */
export async function inConfigLockAs<T>(sql: Sql, who: string | AuditActor, work: (tx: Tx) => Promise<T>): Promise<T> {
  return inConfigLock(sql, async (tx) => {
    if (typeof who !== "string") await who.stillAllowed?.(tx);
    return work(tx);
  });
}

/**
 * The BUSY GraphQL error for PostgreSQL's lock or statement timeout, a deadlock (40P01) or a
 * serialization failure (40001): each rolled the whole transaction back, so a retry is safe. Null for
 * any other error.
 */
export function busyError(error: unknown, bounds: ConfigLockBounds): GraphQLError | null {
  const e = error as { name?: unknown; code?: unknown } | null;
  if (e?.name !== "PostgresError" || typeof e.code !== "string" || !BUSY_CODES.has(e.code)) return null;
  const waited = whatHappened(e.code, bounds);
  return new GraphQLError(
    `the configuration is busy (${waited}); nothing was changed, retry`,
    { extensions: { code: GraphQLCode.BUSY } },
  );
}
