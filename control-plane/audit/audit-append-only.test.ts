/**
 * audit_log refuses UPDATE, DELETE and TRUNCATE in the database (migration 0061), on PostgreSQL and on
 * the embedded PGlite alike; inserts still work, and only a deliberate DISABLE TRIGGER by the table
 * owner lets a row be altered (which the hash chain then reports).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function refusesChanges(db: Database): Promise<void> {
  await migrate(db.sql);
  const [row] = await db.sql<{ id: string }[]>`
    insert into audit_log (at, actor, action, target, prev_hash, hash) values (now(), 'adm_t', 'probe', 't', 'p', 'h') returning id`;
  const error = (p: Promise<unknown>) => p.then(() => null, (e: Error) => e.message);
  expect(await error(db.sql`update audit_log set action = 'changed' where id = ${row!.id}`)).toContain("append-only");
  expect(await error(db.sql`delete from audit_log where id = ${row!.id}`)).toContain("append-only");
  expect(await error(db.sql`truncate audit_log`)).toContain("append-only");
  const [after] = await db.sql<{ action: string }[]>`select action from audit_log where id = ${row!.id}`;
  expect(after!.action).toBe("probe");
  // The owner can still do it on purpose, in the open.
  await db.sql.begin(async (tx) => {
    await tx`alter table audit_log disable trigger audit_log_append_only`;
    await tx`update audit_log set action = 'tampered' where id = ${row!.id}`;
    await tx`alter table audit_log enable trigger audit_log_append_only`;
  });
  expect((await db.sql<{ action: string }[]>`select action from audit_log where id = ${row!.id}`)[0]!.action).toBe("tampered");
  expect(await error(db.sql`delete from audit_log`)).toContain("append-only");
}

test("PostgreSQL refuses UPDATE, DELETE and TRUNCATE on audit_log", async () => {
  const testDb: TestDatabase = await createTestDatabase();
  const db = await openDatabase(testDb.url, "/unused");
  cleanups.push(async () => {
    await db.close();
    await testDb.drop();
  });
  await refusesChanges(db);
});

test("PGlite (embedded mode) runs the same trigger", async () => {
  const dir = await mkdtemp(join(tmpdir(), "cp-audit-pglite-"));
  const db = await openDatabase(null, dir);
  cleanups.push(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });
  expect(db.kind).toBe("pglite");
  await refusesChanges(db);
}, 30_000);
