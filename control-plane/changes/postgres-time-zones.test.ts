/**
 * postgresKnowsTimeZone runs from tenantPolicyConflict inside markStaleRequests on every config change
 * (under the config lock) while an open tenant.policy request carries a zone. It used to read all of
 * pg_timezone_names (a function scan over the server's zone directory, tens of ms) for that; now it asks
 * about the one name, in a savepoint, so an unknown zone leaves the caller's transaction usable.
 */
import { expect, test } from "bun:test";
import postgres from "postgres";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { postgresKnowsTimeZone } from "./postgres-time-zones.ts";

const database = useTestDatabase({ max: 1 });

test("answers per name without reading pg_timezone_names, and an unknown zone leaves the transaction usable", async () => {
  const statements: string[] = [];
  const sql = postgres(database.url, { max: 1, onnotice: () => {}, debug: (_connection, query) => void statements.push(query) });
  try {
    const result = await sql.begin(async (tx) => {
      await tx`create temporary table kept (n int)`;
      await tx`insert into kept values (1)`;
      const answers = [
        await postgresKnowsTimeZone(tx, "Europe/Berlin"),
        await postgresKnowsTimeZone(tx, "US/Pacific-New"),
        await postgresKnowsTimeZone(tx, "Europe/Berlin"),
        await postgresKnowsTimeZone(tx, "UTC"),
      ];
      const [row] = await tx<{ n: number }[]>`select count(*)::int as n from kept`;
      return { answers, kept: row?.n };
    });
    expect(result).toEqual({ answers: [true, false, true, true], kept: 1 });
    expect(statements.filter((s) => s.includes("pg_timezone_names"))).toEqual([]);
  } finally {
    await sql.end({ timeout: 1 });
  }
});
