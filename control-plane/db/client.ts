/**
 * The control plane's database handle: the `postgres` client against a real PostgreSQL, or against an
 * embedded PGlite exposed through pglite-socket, so one SQL path serves both.
 */
import { chmod, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import { assertPostgresPatched } from "./postgres-patched.ts";

export type Sql = postgres.Sql<{}>;
export type Tx = postgres.TransactionSql<{}>;
/** Anything that can run a tagged query: the pool or an open transaction. */
export type Queryable = Sql | Tx;

export interface Database {
  /** The proxies' endpoints (usage ingest, leases, snapshot polls) and every write and small read. */
  sql: Sql;
  /**
   * Reports (spend over the usage ledger): a pool of its own, so a report scanning a month of usage
   * cannot hold the connections `sql`'s callers need. runReport (graphql/run-report.ts) bounds each
   * report by the report statement timeout with `set local` in the report's transaction, never a
   * startup parameter: PgBouncer refuses untracked startup parameters ("unsupported startup parameter:
   * statement_timeout") and other poolers drop them. On PGlite, `sql` itself (one connection
   * underneath; PGlite accepts the setting but cannot cancel a statement).
   */
  reports: Sql;
  /**
   * GraphQL (admin reads, mutations, authentication): a small pool of its own (ADMIN_POOL_MAX), so
   * admin mutations waiting for the config lock or a row (each up to CONFIG_LOCK_TIMEOUT_MS,
   * audit/config-lock.ts) queue here and never hold the connections the proxies' endpoints use. On
   * PGlite, `sql` itself.
   */
  admin: Sql;
  /** `postgres` or `pglite`, for the startup log. */
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

/**
 * The report pool's size and statement timeout (REPORT_POOL_MAX, REPORT_STATEMENT_TIMEOUT_MS); the
 * timeout is applied per report by runReport, not by the connections.
 */
export interface ReportPoolOptions {
  max: number;
  statementTimeoutMs: number;
}

export const DEFAULT_REPORT_POOL: ReportPoolOptions = { max: 2, statementTimeoutMs: 30_000 };

/** Connections of the admin pool (Database.admin). */
export const ADMIN_POOL_MAX = 4;

const CLIENT_OPTIONS = { onnotice: () => {}, connect_timeout: 10 } as const;

/**
 * Opens PostgreSQL when a URL is given, else PGlite under `dataDir/pglite` (both directories private:
 * see privateDirectories). `log` hears that an open directory was tightened. Refuses first, in one line,
 * a postgres.js that npm's postinstall did not patch (both modes use it: see postgres-patched.ts).
 */
export async function openDatabase(
  databaseUrl: string | null | undefined,
  dataDir: string,
  onQuery?: (query: string) => void,
  log: (line: string) => void = console.log,
  reportPool: ReportPoolOptions = DEFAULT_REPORT_POOL,
): Promise<Database> {
  assertPostgresPatched();
  if (databaseUrl) {
    const debug = onQuery ? (_connection: number, query: string) => onQuery(query) : undefined;
    const sql = postgres(databaseUrl, { ...CLIENT_OPTIONS, max: 10, ...(debug ? { debug } : {}) });
    await sql`select 1`;
    // No startup parameters beyond the client's own: they must pass any pooler (see Database.reports).
    const reports = postgres(databaseUrl, { ...CLIENT_OPTIONS, max: reportPool.max, ...(debug ? { debug } : {}) });
    const admin = postgres(databaseUrl, { ...CLIENT_OPTIONS, max: ADMIN_POOL_MAX, ...(debug ? { debug } : {}) });
    // A client learns the server's array types on its first query; an array built before that goes out
    // as a bare "a,b" (malformed array literal). Each pool asks once here, as `sql` did above.
    await Promise.all([reports`select 1`, admin`select 1`]);
    return {
      sql,
      reports,
      admin,
      kind: "postgres",
      close: async () => {
        await Promise.all([sql.end({ timeout: 5 }), reports.end({ timeout: 5 }), admin.end({ timeout: 5 })]);
      },
    };
  }
  const dir = join(dataDir, "pglite");
  await privateDirectories([dataDir, dir], log);
  return openEmbedded(dir);
}

/**
 * PGlite writes its files 0666 whatever the umask, so the embedded database (tenants, keys, prices,
 * the audit log) is kept from other local users only by the directories around it: each is created
 * 0700, and one found open to group or others (made by an earlier start or by hand) is tightened to
 * 0700, said once in the log. A directory that cannot be tightened (owned by another user) fails the
 * start rather than serve from a database anyone can rewrite.
 */
async function privateDirectories(dirs: string[], log: (line: string) => void): Promise<void> {
  const tightened: string[] = [];
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const mode = (await stat(dir)).mode & 0o777;
    if ((mode & 0o077) === 0) continue;
    try {
      await chmod(dir, 0o700);
    } catch (error) {
      throw new Error(`${dir} is open to other users (mode 0${mode.toString(8)}) and cannot be made private: ${(error as Error).message}; chmod 700 it or use a DATA_DIR of your own`);
    }
    tightened.push(`${dir} was 0${mode.toString(8)}`);
  }
  if (tightened.length > 0) log(`control plane tightened the embedded database's directories to mode 0700 (other users could reach them): ${tightened.join(", ")}`);
}

async function openEmbedded(dir: string): Promise<Database> {
  // Imported lazily so a PostgreSQL deployment never loads the WASM build.
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, port: 0, host: "127.0.0.1", maxConnections: 4 });
  await server.start();
  const port = (server as unknown as { port: number }).port;
  // PGlite is single-connection underneath; one client connection keeps transactions unambiguous.
  const sql = postgres({ host: "127.0.0.1", port, user: "postgres", database: "postgres", ...CLIENT_OPTIONS, max: 1 });
  await sql`select 1`;
  return {
    sql,
    reports: sql,
    admin: sql,
    kind: "pglite",
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
      await db.close();
    },
  };
}
