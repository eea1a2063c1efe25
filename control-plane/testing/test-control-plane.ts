/**
 * A control plane on a fresh PostgreSQL database and temp data dir (or the caller's own), for this
 * folder's tests. Logs are collected, not printed, so tests stay quiet and can assert on them.
 */
import { afterAll, beforeAll } from "bun:test";
import postgres from "postgres";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { runAll } from "../../test/support/run-all.ts";
import { startControlPlane, type ControlPlaneConfig, type RunningControlPlane } from "../main.ts";

export interface TestControlPlane {
  cp: RunningControlPlane;
  admin: AdminClient;
  adminToken: string;
  /** The database the control plane runs on: the helper's own, or the one `databaseUrl` named. */
  db: Pick<TestDatabase, "url" | "name">;
  /** The control plane's data dir: the helper's own, or the one `dataDir` named. */
  dataDir: string;
  logs: string[];
  /**
   * A pool of `max` connections straight to the database, for reading and changing rows behind the
   * API (2 for a test that holds one connection while it queries with another); close() ends it.
   */
  openSql(max?: number): postgres.Sql;
  /**
   * Ends the pools openSql made, stops the control plane, drops the database and removes the data dir
   * the helper made (never the caller's own): every step runs though one before it fails, and the first
   * failure is thrown.
   */
  close(): Promise<void>;
}

/** How long useTestControlPlane's beforeAll may take to start the control plane. */
const START_TIMEOUT_MS = 30_000;

/**
 * Extra config for the test's control plane. `databaseUrl` (a PostgreSQL database; for embedded PGlite
 * call startControlPlane itself) and `dataDir` are the caller's own, used as they are and never
 * dropped or removed; each one not given is made fresh, and dropped or removed by close().
 */
export type TestControlPlaneOverrides = Partial<Omit<ControlPlaneConfig, "databaseUrl">> & { databaseUrl?: string };

/** The caller's database, by its URL: no drop, as the caller made it and drops it. */
function givenDatabase(url: string): Pick<TestDatabase, "url" | "name"> {
  return { url, name: decodeURIComponent(new URL(url).pathname.slice(1)) };
}

/**
 * `overrides` set extra config (approvals required, tick interval, a query hook, the caller's own
 * database or data dir). A start that fails drops the database and removes the data dir it made (only
 * those), then throws.
 */
export async function startTestControlPlane(overrides: TestControlPlaneOverrides = {}): Promise<TestControlPlane> {
  // Only what this helper made: the database and data dir it was not given.
  const made: { db?: TestDatabase; dataDir?: string } = {};
  const removeMade = () =>
    runAll([
      () => made.db?.drop(),
      () => (made.dataDir === undefined ? undefined : rm(made.dataDir, { recursive: true, force: true })),
    ]);
  let db: Pick<TestDatabase, "url" | "name">;
  let dataDir: string;
  let cp: RunningControlPlane;
  const logs: string[] = [];
  const adminToken = `admtok_test_${crypto.randomUUID().replaceAll("-", "")}`;
  try {
    db = overrides.databaseUrl === undefined ? (made.db = await createTestDatabase()) : givenDatabase(overrides.databaseUrl);
    dataDir = overrides.dataDir ?? (made.dataDir = await mkdtemp(join(tmpdir(), "cp-test-")));
    cp = await startControlPlane({ port: 0, adminToken, log: (l) => logs.push(l), ...overrides, databaseUrl: db.url, dataDir });
  } catch (error) {
    // The start's own error is the one thrown, not a later one from cleaning up.
    await removeMade().catch(() => {});
    throw error;
  }
  const pools: postgres.Sql[] = [];
  return {
    cp,
    admin: adminClient(cp.url, adminToken),
    adminToken,
    db,
    dataDir,
    logs,
    openSql(max = 1) {
      const sql = postgres(db.url, { max, onnotice: () => {} });
      pools.push(sql);
      return sql;
    },
    async close() {
      // Every step runs though one before it fails (a pool that fails to end still leaves no database behind).
      await runAll([...pools.splice(0).map((sql) => () => sql.end()), () => cp.stop(), removeMade]);
    },
  };
}

/**
 * The test file's control plane, started in a beforeAll (with its own 30 s timeout: a start takes a
 * few seconds, more on a loaded machine) and closed in an afterAll that this registers. The object
 * returned is filled in by that beforeAll: read it in tests and in hooks registered after this call,
 * not while the file loads.
 *
 * Bun runs afterAll hooks in the order they were registered, so a file's own afterAll registered
 * after this call runs once the control plane is stopped and its database dropped. Register cleanup
 * that still needs them (rows to read, a server to call) before calling this; pools from t.openSql
 * need none, as close() ends them first.
 *
 * @example const t = useTestControlPlane({ changeTickMs: 100 }); let sql: postgres.Sql; beforeAll(() => { sql = t.openSql(); });
 */
export function useTestControlPlane(overrides: TestControlPlaneOverrides = {}): TestControlPlane {
  const t = {} as TestControlPlane;
  beforeAll(async () => {
    Object.assign(t, await startTestControlPlane(overrides));
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await t.close?.();
  });
  return t;
}

/** POSTs raw GraphQL and returns status and parsed body, for asserting on errors. */
export async function rawGraphQL(url: string, token: string | null, body: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(new URL("/graphql", url), { method: "POST", headers, body });
  return { status: response.status, json: await response.json() };
}

/** POSTs raw GraphQL and returns the status with the first error's code and message (null and "" when there is none). */
export async function firstGraphQLError(url: string, token: string | null, body: string): Promise<{ status: number; code: string | null; message: string }> {
  const { status, json } = await rawGraphQL(url, token, body);
  return { status, code: json.errors?.[0]?.extensions?.code ?? null, message: String(json.errors?.[0]?.message ?? "") };
}

/** A request that must be refused for one argument: [the argument's path, token, query, variables]. */
export type ArgumentCase = [field: string, token: string, query: string, variables: Record<string, unknown>];

/**
 * Sends each case in turn and answers, per case, [field, status, first error's code, whether its
 * message starts with "<field>: "]: a refusal that names its argument reads [field, 200, code, true].
 */
export async function argumentRefusals(url: string, cases: ArgumentCase[]): Promise<[string, number, string | null, boolean][]> {
  const got: [string, number, string | null, boolean][] = [];
  for (const [field, token, query, variables] of cases) {
    const r = await firstGraphQLError(url, token, JSON.stringify({ query, variables }));
    got.push([field, r.status, r.code, r.message.startsWith(`${field}: `)]);
  }
  return got;
}
