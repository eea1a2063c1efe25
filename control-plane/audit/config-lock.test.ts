/**
 * inConfigLock bounds its transaction by the bounds the control plane gave the pool (boundConfigLock:
 * CONFIG_LOCK_TIMEOUT_MS, CONFIG_STATEMENT_TIMEOUT_MS), found through the pool or any transaction begun
 * on it; a pool given none runs with the defaults (10 s, 30 s).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import type { Sql } from "../db/client.ts";
import { boundConfigLock, CONFIG_LOCK_ID, configLockBounds, DEFAULT_CONFIG_LOCK_BOUNDS, inConfigLock } from "./config-lock.ts";

let db: TestDatabase;
let bounded: Sql;
let unbounded: Sql;
beforeAll(async () => {
  db = await createTestDatabase();
  bounded = postgres(db.url, { max: 2, onnotice: () => {} });
  unbounded = postgres(db.url, { max: 1, onnotice: () => {} });
  boundConfigLock(bounded, { lockTimeoutMs: 150, statementTimeoutMs: 300 });
});
afterAll(async () => {
  await Promise.all([bounded.end(), unbounded.end()]);
  await db.drop();
});

const settings = (tx: postgres.TransactionSql) => tx`select current_setting('lock_timeout') as lock, current_setting('statement_timeout') as statement`.then(([r]) => r);

test("the transaction runs with its pool's bounds, the defaults on a pool given none", async () => {
  expect(await inConfigLock(bounded, async (tx) => [configLockBounds(tx), await settings(tx)])).toEqual([{ lockTimeoutMs: 150, statementTimeoutMs: 300 }, { lock: "150ms", statement: "300ms" }]);
  expect(await inConfigLock(unbounded, async (tx) => [configLockBounds(tx), await settings(tx)])).toEqual([DEFAULT_CONFIG_LOCK_BOUNDS, { lock: "10s", statement: "30s" }]);
});

test("past either bound the change answers BUSY naming the bound", async () => {
  const slow = inConfigLock(bounded, (tx) => tx`select pg_sleep(2)`);
  await expect(slow).rejects.toMatchObject({ extensions: { code: "BUSY" }, message: expect.stringContaining("ran a statement longer than 300 ms") });
  // The config lock held by another session: the wait for it ends at the lock timeout.
  const holder = await unbounded.reserve();
  try {
    await holder`begin`;
    await holder`select pg_advisory_xact_lock(${CONFIG_LOCK_ID})`;
    const started = performance.now();
    const waited = await inConfigLock(bounded, async () => "took it").catch((e: Error) => e.message);
    expect(waited).toContain("waited 150 ms for a lock");
    expect(performance.now() - started).toBeLessThan(2000);
  } finally {
    await holder`rollback`;
    holder.release();
  }
});
