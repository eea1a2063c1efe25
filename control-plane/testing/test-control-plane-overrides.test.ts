/**
 * startTestControlPlane given the caller's own database (databaseUrl) or data dir (dataDir) makes only
 * what it was not given, runs the control plane on the caller's, and never drops or removes them, on
 * close() or on a start that fails. Each test counts only what it made itself (the databases and
 * cp-test- data dirs recorded as the helper makes them, its own database and directory), so other
 * test files running meanwhile do not count.
 */
import { expect, test } from "bun:test";
import * as fsPromises from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as testDatabases from "../../test/support/postgres.ts";
import { startTestControlPlane, type TestControlPlane, type TestControlPlaneOverrides } from "./test-control-plane.ts";
import { recordingMade, useDatabaseProbe } from "../../test/support/leak-probes.ts";

const probe = useDatabaseProbe();
const databaseExists = (name: string) => probe.exists(name);

/** What startTestControlPlane makes while `run` runs: its databases and cp-test- data dirs. */
const recordCpTest = <T>(run: () => Promise<T>) => recordingMade(run, "cp-test-");

/** A database and data dir of the test's own, made before any recording, removed by `remove`. */
async function callersOwn(): Promise<{ db: testDatabases.TestDatabase; dir: string; remove(): Promise<void> }> {
  const db = await testDatabases.createTestDatabase();
  const dir = await fsPromises.mkdtemp(join(tmpdir(), "cp-own-"));
  return {
    db,
    dir,
    async remove() {
      await db.drop();
      await fsPromises.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts with `overrides`, checks what was made and what the control plane runs on, closes, and checks
 * that what was made is gone. Answers what was made, for the caller's own checks and leftovers.
 */
async function startAndClose(
  overrides: TestControlPlaneOverrides,
  expected: { databases: number; dirs: number; db?: testDatabases.TestDatabase; dir?: string },
): Promise<{ databases: string[]; dirs: string[] }> {
  const made = await recordCpTest(() => startTestControlPlane(overrides));
  try {
    expect(made.result.status).toBe("fulfilled");
    const t = (made.result as PromiseFulfilledResult<TestControlPlane>).value;
    try {
      expect([made.databases.length, made.dirs.length]).toEqual([expected.databases, expected.dirs]);
      expect(t.db.name).toBe(expected.db?.name ?? made.databases[0]!);
      if (expected.db) expect(t.db.url).toBe(expected.db.url);
      expect(t.dataDir).toBe(expected.dir ?? made.dirs[0]!);
      // The control plane runs on them: its migrations are in that database, its signing key in that dir.
      const tables = await t.openSql()`select count(*)::int as n from pg_tables where schemaname = 'public'`;
      expect(tables[0]!.n).toBeGreaterThan(0);
      expect(existsSync(join(t.dataDir, "signing-key.jwk"))).toBe(true);
    } finally {
      await t.close();
    }
    for (const name of made.databases) expect(await databaseExists(name)).toBe(false);
    for (const dir of made.dirs) expect(existsSync(dir)).toBe(false);
    return made;
  } finally {
    await probe.drop(made.databases);
    for (const dir of made.dirs) await fsPromises.rm(dir, { recursive: true, force: true });
  }
}

test("given the caller's database and data dir, it makes neither, runs on both, and close() keeps both", async () => {
  const mine = await callersOwn();
  try {
    await startAndClose({ databaseUrl: mine.db.url, dataDir: mine.dir }, { databases: 0, dirs: 0, db: mine.db, dir: mine.dir });
    expect(await databaseExists(mine.db.name)).toBe(true);
    expect(existsSync(join(mine.dir, "signing-key.jwk"))).toBe(true);
  } finally {
    await mine.remove();
  }
}, 30_000);

test("given only the caller's data dir, it makes and drops its own database and keeps the dir", async () => {
  const mine = await callersOwn();
  try {
    await startAndClose({ dataDir: mine.dir }, { databases: 1, dirs: 0, dir: mine.dir });
    expect(existsSync(join(mine.dir, "signing-key.jwk"))).toBe(true);
  } finally {
    await mine.remove();
  }
}, 30_000);

test("given only the caller's database, it makes and removes its own data dir and keeps the database", async () => {
  const mine = await callersOwn();
  try {
    await startAndClose({ databaseUrl: mine.db.url }, { databases: 0, dirs: 1, db: mine.db });
    expect(await databaseExists(mine.db.name)).toBe(true);
  } finally {
    await mine.remove();
  }
}, 30_000);

test("a start that fails (its port is taken) with the caller's database and data dir makes neither and keeps both", async () => {
  const holder = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const mine = await callersOwn();
  let made: Awaited<ReturnType<typeof recordingMade>> | undefined;
  try {
    made = await recordCpTest(() => startTestControlPlane({ port: holder.port, databaseUrl: mine.db.url, dataDir: mine.dir }));
    expect(made.result.status).toBe("rejected");
    expect(String((made.result as PromiseRejectedResult).reason)).toContain(`cannot listen on 127.0.0.1:${holder.port}`);
    expect([made.databases.length, made.dirs.length]).toEqual([0, 0]);
    expect(await databaseExists(mine.db.name)).toBe(true);
    expect(existsSync(join(mine.dir, "signing-key.jwk"))).toBe(true);
  } finally {
    holder.stop(true);
    await probe.drop(made?.databases ?? []);
    for (const dir of made?.dirs ?? []) await fsPromises.rm(dir, { recursive: true, force: true });
    await mine.remove();
  }
}, 30_000);
