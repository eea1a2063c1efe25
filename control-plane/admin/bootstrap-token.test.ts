/** The generated bootstrap admin token: stored only once it was handed over, so a failed hand-over never locks everyone out. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { openDatabase, type Database } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { adminForToken, ensureAdminToken } from "./admin-token.repo.ts";

let database: TestDatabase;
let db: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  db = await openDatabase(database.url, "/nonexistent-unused");
  await migrate(db.sql);
});
afterAll(async () => {
  await db.close();
  await database.drop();
});

test("a token whose hand-over fails is not stored; the next start generates one and hands it over", async () => {
  let offered = "";
  const failing = ensureAdminToken(db.sql, null, async (token) => {
    offered = token;
    throw new Error("EACCES: permission denied");
  });
  await expect(failing).rejects.toThrow("EACCES");
  expect(await adminForToken(db.sql, offered)).toBeNull();

  const delivered: string[] = [];
  const token = await ensureAdminToken(db.sql, null, async (t) => void delivered.push(t));
  expect(delivered).toEqual([token!]);
  expect(await adminForToken(db.sql, token!)).not.toBeNull();
  // A later start with a token in the table generates (and hands over) nothing.
  expect(await ensureAdminToken(db.sql, null, async (t) => void delivered.push(t))).toBeNull();
  expect(delivered).toHaveLength(1);
});
