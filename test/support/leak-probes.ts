/**
 * What the tests of the test helpers use to see what a failed start or stop left behind: whether a
 * port still accepts connections, whether a database still exists, and a way to drop one that did.
 */
import { afterAll, beforeAll } from "bun:test";
import postgres from "postgres";
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
