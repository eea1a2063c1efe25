/**
 * Every pool openDatabase hands out takes `q.array(...)` in its very first query. postgres.js learns
 * the server's array types on a client's first query, and an array built before that is sent as a bare
 * "a,b" (malformed array literal), so a report or admin read whose first statement held an array
 * failed. The `reports` and `admin` pools were never queried at open; only `sql` was.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { openDatabase, type Database } from "./client.ts";

let testDb: TestDatabase;
let db: Database;
beforeAll(async () => {
  testDb = await createTestDatabase();
  db = await openDatabase(testDb.url, "/tmp/unused-data-dir", undefined, () => {});
});
afterAll(async () => {
  await db.close();
  await testDb.drop();
});

for (const pool of ["sql", "reports", "admin"] as const) {
  test(`${pool}: an array in the first query is sent as an array`, async () => {
    const q = db[pool];
    const [row] = await q<{ x: string[] }[]>`select ${q.array(["ten_a", "b,c", 'd"e'])}::text[] as x`;
    expect(row!.x).toEqual(["ten_a", "b,c", 'd"e']);
  });
}
