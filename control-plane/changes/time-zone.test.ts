/**
 * A tenant's time zone is read twice: by the proxy with Intl (region-proxy/counters/period.ts) and by
 * the control plane with PostgreSQL's `at time zone` (budgets/budget-level.repo.ts). Only canonical tz
 * database names are accepted, and for those both draw the same period boundaries, half-hour zones and
 * DST changes included; an offset like "+05:30" would put them 11 hours apart.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { periodKeys } from "../../region-proxy/counters/period.ts";
import { splitZonedPeriod } from "../../shared/leases/zoned-period.ts";
import { periodDates, periodEnd, type BudgetLevel } from "../budgets/budget-level.repo.ts";
import { errorCode, twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { isCanonicalTimeZone } from "./build-writes.ts";

const t = useTestControlPlane();
let s: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let db: postgres.Sql;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
  db = t.openSql();
});

const proposeZone = (timeZone: string) =>
  ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "tz", operations: [{ op: "tenant.policy", id: s.tenantId, tenantPolicy: { timeZone } }] },
  });

test("only canonical tz database names are time zones: no offsets, no other spellings", () => {
  for (const zone of ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "US/Eastern"]) expect([zone, isCanonicalTimeZone(zone)]).toEqual([zone, true]);
  for (const zone of ["+05:30", "-08:00", "+05", "-0800", "europe/berlin", "EUROPE/BERLIN", "utc", "UTC+3", "Z", "", " Europe/Berlin", "Europe/Berlin ", "Mars/Olympus", "Europe//Berlin"])
    expect([zone, isCanonicalTimeZone(zone)]).toEqual([zone, false]);
});

test("proposing an offset or a misspelt zone is BAD_USER_INPUT naming the field; a canonical name applies", async () => {
  for (const zone of ["+05:30", "-08:00", "europe/berlin"]) {
    const error = await proposeZone(zone).catch((e) => e);
    expect([zone, error.code]).toEqual([zone, "BAD_USER_INPUT"]);
    expect(error.message).toStartWith("operations[0].tenantPolicy.timeZone: ");
  }
  const { approveChange } = await ben.client.request<any>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: (await proposeZone("Asia/Kolkata")).proposeChange.id });
  expect(approveChange.status).toBe("applied");
  expect((await t.admin.request<any>(`query($id: ID!) { tenant(id: $id) { timeZone } }`, { id: s.tenantId })).tenant.timeZone).toBe("Asia/Kolkata");
});

test("a rollback to a version holding a zone accepted before (an offset) is refused, not restored", async () => {
  // What an older release accepted: stored, then captured by a config version's policy state.
  await db`update tenants set time_zone = '+05:30' where id = ${s.tenantId}`;
  await t.admin.request(`mutation($i: SetPriceInput!) { setPrice(input: $i) { model } }`, { i: { provider: "openai", model: "tz-capture", inputUsdPerMillion: 1, outputUsdPerMillion: 1 } });
  const { configVersion } = await t.admin.request<{ configVersion: number }>(`{ configVersion }`);
  const fix = (await proposeZone("Asia/Kolkata")).proposeChange.id;
  expect((await ben.client.request<any>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: fix })).approveChange.status).toBe("applied");
  const error = (await ann.client.request(`mutation($v: Int!) { proposeRollback(toVersion: $v) { id } }`, { v: configVersion }).catch((e) => e)) as { code?: string; message: string };
  expect(error.code).toBe("BAD_USER_INPUT");
  expect(error.message).toContain("+05:30");
  expect(await errorCode(proposeZone("+05:30"))).toBe("BAD_USER_INPUT");
});

/** The proxy's key without its zone (shared/leases/zoned-period.ts): these tests compare calendars. */
const keysOf = (at: Date, zone: string) => {
  const keys = periodKeys(at, zone);
  return { day: splitZonedPeriod(keys.day).label, month: splitZonedPeriod(keys.month).label };
};
const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const level = (timeZone: string, period: string): BudgetLevel => ({ tenantId: "ten_x", keyId: null, capMicros: 1, timeZone, ...periodDates(period)! });

test("the proxy's day and month boundaries are PostgreSQL's, for half-hour zones and across DST changes", async () => {
  const days: [string, string][] = [
    ["Asia/Kolkata", "2026-11-26"],
    ["America/St_Johns", "2026-03-08"], // DST starts that night
    ["America/St_Johns", "2026-11-01"],
    ["Europe/Berlin", "2026-03-29"], // 23-hour day
    ["Europe/Berlin", "2026-10-25"], // 25-hour day
    ["Asia/Kathmandu", "2026-06-01"],
    ["Pacific/Chatham", "2026-04-05"],
    ["Australia/Lord_Howe", "2026-10-04"],
    ["America/New_York", "2026-12-31"],
    ["Etc/GMT+5", "2026-01-01"], // POSIX-signed in its name, and read that way by both
    ["UTC", "2026-02-28"],
  ];
  for (const [zone, day] of days) {
    // The control plane's period [start, end) is the proxy's `day:` key, no more and no less.
    const start = await periodEnd(db, { ...level(zone, `day:${day}`), endDate: day });
    const end = await periodEnd(db, level(zone, `day:${day}`));
    expect([zone, day, keysOf(start, zone).day, keysOf(new Date(start.getTime() - 1), zone).day]).toEqual([zone, day, `day:${day}`, `day:${new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)}`]);
    expect([zone, day, keysOf(new Date(end.getTime() - 1), zone).day, keysOf(end, zone).day]).toEqual([zone, day, `day:${day}`, `day:${nextDay(day)}`]);
  }
  const march = await periodEnd(db, level("Europe/Berlin", "month:2026-03"));
  expect([keysOf(new Date(march.getTime() - 1), "Europe/Berlin").month, keysOf(march, "Europe/Berlin").month]).toEqual(["month:2026-03", "month:2026-04"]);
  expect(march.toISOString()).toBe("2026-03-31T22:00:00.000Z");
  // Budget periods are bounded by Intl's reading now (shared/time/local-day-start.ts), so even an offset
  // ends where the proxy's day does; offsets stay refused for what PostgreSQL still reads (spend.byDay),
  // where "+05:30" is UTC−5:30.
  const offsetEnd = await periodEnd(db, level("+05:30", "day:2026-11-26"));
  expect(offsetEnd.toISOString()).toBe("2026-11-26T18:30:00.000Z");
  expect(keysOf(new Date(offsetEnd.getTime() - 1), "+05:30").day).toBe("day:2026-11-26");
});
