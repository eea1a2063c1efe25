/**
 * spend.byDay buckets by day in the queried tenant's org (root tenant) time zone, the days budgets are
 * counted in (budgetStatus, leases, the proxy's counters), and names that zone. Before, it bucketed by
 * UTC day, so for a Tokyo org one budget day split into two rows and no row matched the day's budget.
 */
import { expect, test } from "bun:test";
import { addKey } from "../testing/add-key.ts";
import { addTenant } from "../testing/add-tenant.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";
import { levelStatus } from "../budgets/budget-status.service.ts";

const ingest = useUsageIngest();

interface DayAnswer {
  timeZone: string;
  byDay: { key: string; requests: number; costMicros: string }[];
}

async function spendByDay(tenantId: string): Promise<DayAnswer> {
  const { spend } = await ingest.t.admin.request<{ spend: DayAnswer }>(
    `query($t: ID!) { spend(tenantId: $t, from: "2025-02-01T00:00:00Z", to: "2025-02-04T00:00:00Z") { timeZone byDay { key requests costMicros } } }`,
    { t: tenantId },
  );
  return spend;
}

/** An org in `timeZone` (null: none set) with a team, each booking usage at the same three instants. */
async function orgWithUsage(name: string, timeZone: string | null): Promise<{ org: string; team: string }> {
  const org = await addTenant(ingest.t.admin, name, null);
  const team = await addTenant(ingest.t.admin, `${name}-team`, org);
  await ingest.sql`update tenants set time_zone = ${timeZone}, daily_budget_micros = 1000000 where id = ${org}`;
  const orgKey = await addKey(ingest.t.admin, org);
  const teamKey = await addKey(ingest.t.admin, team);
  const at = (id: string, time: string, tenantId: string, keyId: string, costMicros: number) => ingest.event(`evt_${name}_${id}`, { time, tenantId, keyId, costMicros });
  const response = await ingest.post({
    events: [
      // Tokyo (UTC+9): 2025-02-02 01:00, 2025-02-02 19:00 and 2025-02-03 00:30.
      at("a", "2025-02-01T16:00:00.000Z", org, orgKey, 400),
      at("b", "2025-02-02T10:00:00.000Z", team, teamKey, 500),
      at("c", "2025-02-02T15:30:00.000Z", org, orgKey, 60),
    ],
  });
  expect(response.status).toBe(200);
  return { org, team };
}

test("a Tokyo org's days are Tokyo days, for the org and for its team, and match its budget day", async () => {
  const { org, team } = await orgWithUsage("tokyo", "Asia/Tokyo");
  expect(await spendByDay(org)).toEqual({
    timeZone: "Asia/Tokyo",
    byDay: [
      { key: "2025-02-02", requests: 2, costMicros: "900" },
      { key: "2025-02-03", requests: 1, costMicros: "60" },
    ],
  });
  // A team's days are its org's: the root's zone, as for budgets.
  expect(await spendByDay(team)).toEqual({ timeZone: "Asia/Tokyo", byDay: [{ key: "2025-02-02", requests: 1, costMicros: "500" }] });
  // The byDay row is exactly the budget day's spend.
  expect((await levelStatus(ingest.sql, `ten:${org}`, "day:2025-02-02"))?.spentMicros).toBe("900");
});

test("a UTC org (and one with no zone set) keeps UTC days", async () => {
  const utcDays = [
    { key: "2025-02-01", requests: 1, costMicros: "400" },
    { key: "2025-02-02", requests: 2, costMicros: "560" },
  ];
  const { org } = await orgWithUsage("utc", "UTC");
  expect(await spendByDay(org)).toEqual({ timeZone: "UTC", byDay: utcDays });
  expect((await levelStatus(ingest.sql, `ten:${org}`, "day:2025-02-02"))?.spentMicros).toBe("560");
  const unset = await orgWithUsage("unset", null);
  expect(await spendByDay(unset.org)).toEqual({ timeZone: "UTC", byDay: utcDays });
});
