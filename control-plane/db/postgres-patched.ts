/**
 * Refuses to run on a postgres.js without infra/patches/postgres-closed-connection.mjs. npm's
 * postinstall applies it; `npm ci --ignore-scripts`, or an image built without that script, leaves
 * the driver as published, and a connection closed mid-transaction (pg_terminate_backend, a failover,
 * a pooler dropping it) then ends the process from a setImmediate no catch reaches. One file read at
 * start: the connection.js Bun loads (the one next to the package's resolved entry).
 *
 * @example assertPostgresPatched(); // before the first postgres() pool is made
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { EDITS } from "../../infra/patches/postgres-closed-connection.mjs";

/** The postgres.js connection.js this process loads: next to the entry `import "postgres"` resolves to here. */
export function loadedConnectionJs(): string {
  return join(dirname(Bun.resolveSync("postgres", import.meta.dir)), "connection.js");
}

/** Throws, in one line, unless `connectionJs` carries every edit of the patch. */
export function assertPostgresPatched(connectionJs: string = loadedConnectionJs()): void {
  const text = readFileSync(connectionJs, "utf8");
  if (EDITS.every((edit) => text.includes(edit.to))) return;
  throw new Error(`postgres.js is not patched (${connectionJs}): run npm install (its postinstall applies infra/patches/postgres-closed-connection.mjs)`);
}
