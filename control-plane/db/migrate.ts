/**
 * Applies `migrations/NNNN_name.sql` in order, each once, recorded in `schema_migrations`.
 * One transaction under an advisory lock, so two control planes starting together do not race.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Sql } from "./client.ts";

const MIGRATIONS_DIR = join(import.meta.dir, "migrations");
/** Arbitrary constant shared by every control plane instance: "migrate". */
const MIGRATION_LOCK_ID = 0x6d696772;
const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The migration files shipped with the control plane, sorted by number. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => FILE_PATTERN.test(f)).sort();
  const out: Migration[] = [];
  for (const file of files) {
    const version = Number(FILE_PATTERN.exec(file)![1]);
    if (out.some((m) => m.version === version)) throw new Error(`two migrations share number ${version}`);
    out.push({ version, name: file, sql: await readFile(join(dir, file), "utf8") });
  }
  return out;
}

/** Runs pending migrations; returns the names it applied (empty when up to date). */
export async function migrate(sql: Sql, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
    await tx`create table if not exists schema_migrations (
      version integer primary key, name text not null, applied_at timestamptz not null default now())`;
    const done = new Set((await tx<{ version: number }[]>`select version from schema_migrations`).map((r) => r.version));
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.version)) continue;
      // No parameters: the simple protocol runs the whole multi-statement file.
      await tx.unsafe(m.sql);
      await tx`insert into schema_migrations (version, name) values (${m.version}, ${m.name})`;
      applied.push(m.name);
    }
    return applied;
  });
}
