/**
 * What the tests of the test helpers use to see what a failed start or stop left behind: whether a
 * port still accepts connections, whether a database still exists, and a way to drop one that did.
 */
import { afterAll, beforeAll, spyOn } from "bun:test";
import * as fsPromises from "node:fs/promises";
import { basename } from "node:path";
import postgres from "postgres";
import * as testDatabases from "./postgres.ts";
import { createTestDatabase, type TestDatabase } from "./postgres.ts";

/** Whether something accepts a TCP connection at the URL's port (a new connection, never a pooled one). */
export async function acceptsConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  try {
    const socket = await Bun.connect({ hostname, port: Number(port), socket: { data() {} } });
    socket.end();
    return true;
  } catch {
    return false;
  }
}

export interface DatabaseProbe {
  /** Whether a database of that name exists. */
  exists(name: string): Promise<boolean>;
  /** Drops the databases if they exist (a failing test's leftovers). */
  drop(names: string[]): Promise<void>;
}

/**
 * A database of the calling file's own (made before its tests, dropped after), whose connection reads
 * pg_database.
 *
 * @example const probe = useDatabaseProbe(); expect(await probe.exists(name)).toBe(false);
 */
export function useDatabaseProbe(): DatabaseProbe {
  let own: TestDatabase | undefined;
  let sql: postgres.Sql | undefined;
  beforeAll(async () => {
    own = await createTestDatabase();
    sql = postgres(own.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await own?.drop();
  });
  return {
    exists: async (name) => (await sql!`select 1 from pg_database where datname = ${name}`).length > 0,
    async drop(names) {
      for (const name of names) await sql!.unsafe(`drop database if exists ${name} with (force)`);
    },
  };
}

/**
 * Records the test databases and the data dirs named `${dirPrefix}...` made while `run` runs (through
 * spies on createTestDatabase and mkdtemp, restored after), and how `run` ended.
 *
 * @example const made = await recordingMade(() => startTestControlPlane(), "cp-test-"); expect(made.databases).toHaveLength(1);
 */
export async function recordingMade<T>(run: () => Promise<T>, dirPrefix: string): Promise<{ databases: string[]; dirs: string[]; result: PromiseSettledResult<T> }> {
  const databases: string[] = [];
  const dirs: string[] = [];
  const realCreate = testDatabases.createTestDatabase;
  const mkdtemp = fsPromises.mkdtemp;
  const databaseSpy = spyOn(testDatabases, "createTestDatabase").mockImplementation(async () => {
    const db = await realCreate();
    databases.push(db.name);
    return db;
  });
  const dirSpy = spyOn(fsPromises, "mkdtemp").mockImplementation((async (prefix: string, options?: unknown) => {
    const dir = await mkdtemp(prefix, options as undefined);
    if (basename(dir).startsWith(dirPrefix)) dirs.push(dir);
    return dir;
  }) as typeof fsPromises.mkdtemp);
  try {
    const [result] = await Promise.allSettled([run()]);
    return { databases, dirs, result: result! };
  } finally {
    databaseSpy.mockRestore();
    dirSpy.mockRestore();
  }
}
