/**
 * A tenant's time zone changed mid-period. A period is its label and the zone it is counted in
 * (shared/leases/zoned-period.ts): the lease rows and alerts of Tokyo's day 2026-03-09 are not Los
 * Angeles's day 2026-03-09, whose ledger window is another 24 hours.
 */
import { expect, test } from "bun:test";
import { periodKeys } from "../../region-proxy/counters/period.ts";
import { wirePeriod } from "../../shared/leases/zoned-period.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { levelStatus } from "./budget-status.service.ts";
import { serveLease } from "./serve-lease.ts";

const r = useLeaseRegions();

const insert = (org: string, key: string, id: string, at: Date, cost: number) => r.sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
    input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
  values (${id}, ${at}, ${`req_${id}`}, 'eu', 1, ${org}, ${key}, 'chat', 'chat', false, 6, 4, 0, 0, 0, ${cost}, 5, 'ok', 1)`;

async function tokyoOrg(name: string): Promise<{ org: string; key: string; scope: string }> {
  const org = await r.tenant(name, 1_000_000);
  await r.sql`update tenants set time_zone = 'Asia/Tokyo' where id = ${org}`;
  return { org, key: await r.key(org, null), scope: `ten:${org}` };
}

test("Tokyo -> Los Angeles mid-day: the LA day gets the whole cap; the Tokyo day keeps its spend; a stale proxy's Tokyo ask is answered for Tokyo's day", async () => {
  const { org, key, scope } = await tokyoOrg("tokyo-org");
  const spentAt = new Date("2026-03-09T01:00:00Z"); // 10:00 in Tokyo on 2026-03-09 (= 2026-03-08 18:00 in Los Angeles)
  const tokyoDay = periodKeys(spentAt, "Asia/Tokyo").day;
  expect(tokyoDay).toBe("day:2026-03-09@Asia/Tokyo");

  // A region leases the whole cap, spends it and reports it (its counter for the Tokyo day).
  await serveLease(r.sql, "eu", { scope, ...wirePeriod(tokyoDay), spentMicros: 0, needMicros: 1_000_000 }, undefined, spentAt);
  await insert(org, key, "evt_tokyo", spentAt, 1_000_000);
  await serveLease(r.sql, "eu", { scope, ...wirePeriod(tokyoDay), spentMicros: 1_000_000 }, undefined, new Date(spentAt.getTime() + 1000));

  await r.sql`update tenants set time_zone = 'America/Los_Angeles' where id = ${org}`;
  const later = new Date("2026-03-09T14:00:00Z"); // 07:00 PDT on 2026-03-09
  const laDay = periodKeys(later, "America/Los_Angeles").day;
  expect(laDay).toBe("day:2026-03-09@America/Los_Angeles");

  // The proxy's counter for the LA day is its own (nothing spent); the LA day's lease rows are too.
  const grant = await serveLease(r.sql, "eu", { scope, ...wirePeriod(laDay), spentMicros: 0, needMicros: 1_000_000 }, undefined, later);
  const status = await levelStatus(r.sql, scope, "day:2026-03-09", later); // budgetStatus's reading: the org's zone
  expect({ ledgerSpent: status?.spentMicros, period: status?.period, zone: status?.timeZone }).toEqual({ ledgerSpent: "0", period: "day:2026-03-09", zone: "America/Los_Angeles" });
  // The whole cap is room for the LA day (before: no room at all, the Tokyo day's spend was on the label).
  expect({ granted: grant.managed && grant.grantedMicros, ledger: grant.managed && grant.ledgerSpentMicros }).toEqual({ granted: 1_000_000, ledger: 0 });

  // A proxy whose snapshot still says Tokyo asks for the Tokyo day: its window, its lease, spent.
  const stale = await serveLease(r.sql, "us", { scope, ...wirePeriod(tokyoDay), spentMicros: 0 }, undefined, later);
  expect({ exhausted: stale.managed && stale.exhausted, tokyoSpent: (await levelStatus(r.sql, scope, tokyoDay, later))?.spentMicros }).toEqual({ exhausted: true, tokyoSpent: "1000000" });
  const rows = await r.sql<{ zone: string; region: string }[]>`select time_zone as zone, region from budget_leases where scope = ${scope} order by time_zone, region`;
  expect(rows.map((x) => `${x.zone} ${x.region}`)).toEqual(["America/Los_Angeles eu", "Asia/Tokyo eu", "Asia/Tokyo us"]);
});

test("a proxy that predates the zone (a bare label) is answered in the org's current zone, and its old day's report is not believed there", async () => {
  const { org, key, scope } = await tokyoOrg("tokyo-legacy");
  const spentAt = new Date("2026-03-09T01:00:00Z");
  await serveLease(r.sql, "eu", { scope, period: "day:2026-03-09", spentMicros: 0, needMicros: 1_000_000 }, undefined, spentAt);
  await insert(org, key, "evt_legacy", spentAt, 1_000_000);
  await serveLease(r.sql, "eu", { scope, period: "day:2026-03-09", spentMicros: 1_000_000 }, undefined, new Date(spentAt.getTime() + 1000));
  await r.sql`update tenants set time_zone = 'America/Los_Angeles' where id = ${org}`;
  // The old proxy's counter for the bare label still holds the Tokyo day's spend and reports it: the LA
  // day has no lease of that region yet, so the report is held to its ledger (nothing) and room is granted.
  const later = new Date("2026-03-09T14:00:00Z");
  const grant = await serveLease(r.sql, "eu", { scope, period: "day:2026-03-09", spentMicros: 1_000_000, needMicros: 1_000 }, undefined, later);
  expect({ exhausted: grant.managed && grant.exhausted, ledger: grant.managed && grant.ledgerSpentMicros }).toEqual({ exhausted: false, ledger: 0 });
  expect((await levelStatus(r.sql, scope, "day:2026-03-09", later))?.remainingMicros).not.toBe("0");
});

test("Tokyo -> Los Angeles: the LA day reaching 80% raises an alert of its own", async () => {
  const { org, key, scope } = await tokyoOrg("tokyo-alerts");
  const tokyoAt = new Date("2026-03-09T01:00:00Z");
  await insert(org, key, "evt_tk", tokyoAt, 900_000);
  await serveLease(r.sql, "eu", { scope, period: "day:2026-03-09", timeZone: "Asia/Tokyo", spentMicros: 0 }, undefined, tokyoAt);
  await r.sql`update tenants set time_zone = 'America/Los_Angeles' where id = ${org}`;
  // LA's 2026-03-09 (07:00Z Mar 9 .. 07:00Z Mar 10) spends 90% on its own.
  const laAt = new Date("2026-03-09T20:00:00Z");
  await insert(org, key, "evt_la", laAt, 900_000);
  await serveLease(r.sql, "eu", { scope, period: "day:2026-03-09", timeZone: "America/Los_Angeles", spentMicros: 0 }, undefined, laAt);
  const alerts = await r.sql<{ period: string; zone: string; spent: string }[]>`select period, time_zone as zone, spent_micros::text as spent from budget_alerts where scope = ${scope} order by created_at`;
  expect([...alerts]).toEqual([
    { period: "day:2026-03-09", zone: "Asia/Tokyo", spent: "900000" },
    { period: "day:2026-03-09", zone: "America/Los_Angeles", spent: "900000" },
  ]);
});
