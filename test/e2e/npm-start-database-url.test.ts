/**
 * `npm start` with DATABASE_URL: the database outlives DATA_DIR, so deleting DATA_DIR does not start
 * over. The launcher must see that before the control plane starts (which would generate a new signing
 * key and audit key and republish the configuration under them, breaking the shared audit chain), and
 * say to drop the database instead. The other way round (an empty database, a DATA_DIR seeded in
 * another one) is refused too, saying to delete DATA_DIR.
 */
import { afterAll, expect, test } from "bun:test";
import postgres from "postgres";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeDatabase } from "../../infra/local/database-admin-tokens.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { launch, launchUntilExit, stopLauncher, launcherPorts } from "../support/npm-start.ts";

const made: { dbs: TestDatabase[]; dirs: string[] } = { dbs: [], dirs: [] };
afterAll(async () => {
  for (const db of made.dbs) await db.drop();
  for (const dir of made.dirs) await rm(dir, { recursive: true, force: true });
});

const ports = () => launcherPorts();

/** What a start that republishes or rotates anything would change. */
async function footprint(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select (select count(*)::int from audit_log) as audit, (select count(*)::int from config_versions) as versions,
      (select count(*)::int from snapshots) as snapshots, (select string_agg(token_hash, ',' order by id) from admin_tokens) as tokens`;
    return row;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

test("with DATABASE_URL, a deleted DATA_DIR is refused before the control plane touches the database, saying to drop it", async () => {
  const db = await createTestDatabase();
  made.dbs.push(db);
  const dataDir = await mkdtemp(join(tmpdir(), "gw-npm-start-pg-"));
  made.dirs.push(dataDir);
  const env = { DATA_DIR: dataDir, DATABASE_URL: db.url, ...ports() };

  const first = await launch(env);
  try {
    // The banner says so too: with DATABASE_URL, DATA_DIR alone is not the whole install.
    expect(first.output).toContain(`delete the data directory and drop the database ${describeDatabase(db.url)} to start over`);
  } finally {
    await stopLauncher(first.child);
  }
  const before = await footprint(db.url);

  await rm(dataDir, { recursive: true, force: true });
  const refused = await launchUntilExit(env);
  expect(refused.exitCode).not.toBe(0);
  expect(refused.stderr).toContain("already has an admin token this launcher does not know");
  expect(refused.stderr).toContain("drop that database");
  // The refusal names the database, never its password.
  expect(refused.stderr).toContain(`/${db.name}`);
  // Nothing was started: no new keys, no republish, no audit row under a key nobody else has.
  expect(refused.stdout).not.toContain("control plane");
  expect(await footprint(db.url)).toEqual(before);
}, 120_000);

test("with DATABASE_URL, an empty database under a DATA_DIR seeded elsewhere is refused, saying to delete DATA_DIR; then it starts afresh", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "gw-npm-start-pg-"));
  made.dirs.push(dataDir);
  const firstDb = await createTestDatabase();
  made.dbs.push(firstDb);
  const env = { DATA_DIR: dataDir, ...ports() };
  const first = await launch({ ...env, DATABASE_URL: firstDb.url });
  const firstKey = /demo key\s+(gwk_\S+)/.exec(first.output)?.[1];
  await stopLauncher(first.child);

  // The database dropped and created again (here: a new empty one), DATA_DIR kept.
  const freshDb = await createTestDatabase();
  made.dbs.push(freshDb);
  const refused = await launchUntilExit({ ...env, DATABASE_URL: freshDb.url });
  expect(refused.exitCode).not.toBe(0);
  expect(refused.stderr).toContain(`is empty, but ${dataDir} holds a demo seeded in another database; delete ${dataDir} to start over`);
  expect(refused.stdout).not.toContain("control plane");

  await rm(dataDir, { recursive: true, force: true });
  const second = await launch({ ...env, DATABASE_URL: freshDb.url });
  try {
    const key = /demo key\s+(gwk_\S+)/.exec(second.output)?.[1];
    expect(key).toBeDefined();
    expect(key).not.toBe(firstKey);
    const reply = await fetch(`http://127.0.0.1:${env.EU_PROXY_PORT}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "support-fast", messages: [{ role: "user", content: "again" }] }),
    });
    expect(reply.status).toBe(200);
  } finally {
    await stopLauncher(second.child);
  }
}, 120_000);
