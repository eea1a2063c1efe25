/**
 * A database of the calling file's own, made before its tests and dropped after them, with one pool on
 * it (`max` connections): what the migration tests each wrote out as the same beforeAll/afterAll.
 *
 * @example const database = useTestDatabase({ max: 2 }); await migrate(database.sql);
 */
import { afterAll, beforeAll } from "bun:test";
import postgres from "postgres";
import { createTestDatabase, type TestDatabase } from "./postgres.ts";

export function useTestDatabase(options: { max: number }): { readonly sql: postgres.Sql; readonly url: string } {
  let db: TestDatabase | undefined;
  let sql: postgres.Sql | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = postgres(db.url, { max: options.max, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 1 });
    await db?.drop();
  });
  return {
    get sql() {
      return sql!;
    },
    get url() {
      return db!.url;
    },
  };
}
