/**
 * `bun control-plane/main.ts` whose DATABASE_URL is well formed but cannot be used (a bad % escape in the
 * password, nothing listening, an unknown host, a database that does not exist): refused in one line
 * naming DATABASE_URL, as every other setting is, and never showing the password. These were refused as
 * `control plane: URI error`, `control plane: connect ECONNREFUSED ...`: nothing said which setting.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "../test/support/postgres.ts";
import { freePort } from "../test/support/ports.ts";
import { runToExit } from "../test/support/run-to-exit.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const PASSWORD = "s3cret-Pw";
let dir: string;
let missing: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cp-database-url-"));
  // A database made and dropped: the server is there, the database is not.
  const db: TestDatabase = await createTestDatabase();
  await db.drop();
  const url = new URL(db.url);
  url.password = PASSWORD;
  missing = url.toString();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectDatabaseUrlRefusal(databaseUrl: string, secret = PASSWORD) {
  const run = await runToExit(MAIN, { PORT: String(freePort()), DATA_DIR: join(dir, "data"), DATABASE_URL: databaseUrl });
  expect(run.exitCode).toBe(1);
  expect(run.stderr.split("\n")).toHaveLength(1);
  expect(run.stderr).toStartWith("control plane: DATABASE_URL: ");
  expect(run.stderr).not.toContain(secret);
  return run.stderr;
}

test("a bad % escape in the password: refused naming DATABASE_URL, the password not shown", async () => {
  const line = await expectDatabaseUrlRefusal(`postgres://postgres:pa%zzss@127.0.0.1:${freePort()}/x`, "pa%zzss");
  expect(line).toContain('"postgres://***@127.0.0.1:');
}, 20_000);

test("nothing listening (ECONNREFUSED): refused naming DATABASE_URL", async () => {
  expect(await expectDatabaseUrlRefusal(`postgres://nobody:${PASSWORD}@127.0.0.1:${freePort()}/none`)).toContain("ECONNREFUSED");
}, 20_000);

test("a host that does not resolve (ENOTFOUND): refused naming DATABASE_URL", async () => {
  await expectDatabaseUrlRefusal(`postgres://nobody:${PASSWORD}@gw-no-such-host.invalid:5432/none`);
}, 20_000);

test("a database that does not exist: refused naming DATABASE_URL", async () => {
  expect(await expectDatabaseUrlRefusal(missing)).toContain("does not exist");
}, 20_000);
