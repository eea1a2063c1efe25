/**
 * The control plane's database handle: the `postgres` client against a real PostgreSQL, or against an
 * embedded PGlite exposed through pglite-socket, so one SQL path serves both.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";

export type Sql = postgres.Sql<{}>;
export type Tx = postgres.TransactionSql<{}>;
/** Anything that can run a tagged query: the pool or an open transaction. */
export type Queryable = Sql | Tx;

export interface Database {
  sql: Sql;
  /** `postgres` or `pglite`, for the startup log. */
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

const CLIENT_OPTIONS = { onnotice: () => {}, connect_timeout: 10 } as const;

/** Opens PostgreSQL when a URL is given, else PGlite under `dataDir/pglite`. */
export async function openDatabase(databaseUrl: string | null | undefined, dataDir: string, onQuery?: (query: string) => void): Promise<Database> {
  if (databaseUrl) {
    const debug = onQuery ? (_connection: number, query: string) => onQuery(query) : undefined;
    const sql = postgres(databaseUrl, { ...CLIENT_OPTIONS, max: 10, ...(debug ? { debug } : {}) });
    await sql`select 1`;
    return { sql, kind: "postgres", close: () => sql.end({ timeout: 5 }) };
  }
  return openEmbedded(join(dataDir, "pglite"));
}

async function openEmbedded(dir: string): Promise<Database> {
  await mkdir(dir, { recursive: true });
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
    kind: "pglite",
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
      await db.close();
    },
  };
}
