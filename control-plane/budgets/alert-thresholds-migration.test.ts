/**
 * Migration 0096 keeps the alerts raised before it: they were all 80% alerts (the only threshold then),
 * they read as such, and they still count, so the 80% alert of their cap does not fire twice.
 */
import { expect, test } from "bun:test";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { loadMigrations, migrate } from "../db/migrate.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";

const database = useTestDatabase({ max: 2 });

test("an 80% alert from before 0096 stays valid and still holds its threshold and cap", async () => {
  const all = await loadMigrations();
  await migrate(database.sql, all.filter((m) => m.version < 96));
  await database.sql`insert into budget_alerts (id, tenant_id, scope, period, threshold, cap_micros, spent_micros)
    values ('bal_old', 'ten_old', 'ten:ten_old', 'day:2025-03-01', 0.8, 1000, 850)`;
  expect(await migrate(database.sql, all)).toEqual(all.filter((m) => m.version >= 96).map((m) => m.name));

  const [old] = await database.sql`select threshold_percent as "thresholdPercent", threshold from budget_alerts where id = 'bal_old'`;
  expect(old).toEqual({ thresholdPercent: 80, threshold: 0.8 });
  const raise = (cap: number, spent: number) => raiseAlertIfCrossed(database.sql, { tenantId: "ten_old", scope: "ten:ten_old", period: "day:2025-03-01", timeZone: "UTC", capMicros: cap, spentMicros: spent });
  expect(await raise(1000, 900)).toEqual([]);
  expect((await raise(1000, 1000)).map((a) => a.thresholdPercent)).toEqual([100]);
});
