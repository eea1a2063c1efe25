/**
 * Migration 0098 keys leases and alerts by the zone their period is counted in; rows from before it
 * get the zone their org has now (the one the control plane summed their ledger in), so a period in
 * progress keeps its leases and its alerts do not fire twice.
 */
import { expect, test } from "bun:test";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import { loadMigrations, migrate } from "../db/migrate.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";

const database = useTestDatabase({ max: 2 });

test("leases and alerts from before 0098 take their org's zone (UTC when unset or gone)", async () => {
  const all = await loadMigrations();
  await migrate(database.sql, all.filter((m) => m.version < 98));
  await database.sql`insert into regions (name, token_hash) values ('eu', 'x')`;
  await database.sql`insert into tenants (id, name, parent_id, time_zone) values ('ten_org', 'org', null, 'Asia/Tokyo'), ('ten_team', 'team', 'ten_org', null)`;
  for (const scope of ["ten:ten_team", "ten:ten_gone"]) {
    await database.sql`insert into budget_leases (scope, period, region, granted_micros, expires_at) values (${scope}, 'day:2026-03-09', 'eu', 5, now())`;
    await database.sql`insert into budget_alerts (id, tenant_id, scope, period, threshold, threshold_percent, cap_micros, spent_micros)
      values (${`bal_${scope}`}, 'ten_team', ${scope}, 'day:2026-03-09', 0.8, 80, 1000, 850)`;
  }
  await migrate(database.sql, all);
  const leases = await database.sql`select scope, time_zone as zone from budget_leases order by scope`;
  expect([...leases]).toEqual([{ scope: "ten:ten_gone", zone: "UTC" }, { scope: "ten:ten_team", zone: "Asia/Tokyo" }]);
  // The team's 80% alert counts for Tokyo's day: not raised again there, raised for another zone's.
  const raise = (timeZone: string) => raiseAlertIfCrossed(database.sql, { tenantId: "ten_team", scope: "ten:ten_team", period: "day:2026-03-09", timeZone, capMicros: 1000, spentMicros: 900 });
  expect(await raise("Asia/Tokyo")).toEqual([]);
  expect((await raise("America/Los_Angeles")).map((a) => a.thresholdPercent)).toEqual([80]);
});
