/**
 * rv-periods: in a zone whose clocks fall back across midnight (Atlantic/Azores at 01:00 -> 00:00 local on
 * the last Sunday of October, America/Havana at 01:00 -> 00:00 on the first Sunday of November), local
 * midnight happens twice. The proxy (Intl, period.ts) starts the new day at the FIRST midnight; the control
 * plane's ledger window (`'YYYY-MM-DD'::timestamp at time zone tz` in budget-level.repo.ts) resolves the
 * ambiguous midnight to the SECOND one, an hour later. Spend in that hour is on the proxy's day D counter
 * and lease, but in the control plane's day D-1 ledger.
 */
import { expect, test } from "bun:test";
import { periodKeys } from "../../region-proxy/counters/period.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { levelStatus } from "./budget-status.service.ts";
import { serveLease } from "./serve-lease.ts";

const r = useLeaseRegions();

async function orgIn(name: string, zone: string): Promise<{ org: string; key: string }> {
  const org = await r.tenant(name, 1_000_000);
  await r.sql`update tenants set time_zone = ${zone}, monthly_budget_micros = 10000000 where id = ${org}`;
  const key = await r.key(org, null);
  return { org, key };
}

async function book(id: string, org: string, key: string, time: string, cost: number): Promise<void> {
  await r.sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
    values (${id}, ${time}, ${`req_${id}`}, 'eu', 1, ${org}, ${key}, 'chat', 'chat', false, 6, 4, 0, 0, 0, ${cost}, 5, 'ok', 1)`;
}

test("Azores: a request at 00:30 local (first pass) on 2026-10-25 is booked by the proxy on day:2026-10-25; the control plane's ledger for that day misses it", async () => {
  const { org, key } = await orgIn("azores", "Atlantic/Azores");
  const at = "2026-10-25T00:30:00.000Z"; // 00:30 local, UTC+0 (summer time still in force until 01:00Z)
  expect(periodKeys(new Date(at), "Atlantic/Azores").day).toBe("day:2026-10-25@Atlantic/Azores");
  await book("evt_az", org, key, at, 700);

  // The control plane's own status/ledger for the period the proxy counted it in:
  const today = await levelStatus(r.sql, `ten:${org}`, "day:2026-10-25", new Date("2026-10-25T00:40:00Z"));
  const yesterday = await levelStatus(r.sql, `ten:${org}`, "day:2026-10-24", new Date("2026-10-25T00:40:00Z"));
  // The day:2026-10-24 period ends where the proxy starts day:2026-10-25.
  expect({ todaySpent: today?.spentMicros, yesterdaySpent: yesterday?.spentMicros, yesterdayEnds: yesterday?.periodEnd.toISOString() })
    .toEqual({ todaySpent: "700", yesterdaySpent: "0", yesterdayEnds: "2026-10-25T00:00:00.000Z" });
});

test("Havana: the 04:00-05:00Z hour of 2026-11-01 is November at the proxy and October in the control plane's monthly ledger", async () => {
  const { org, key } = await orgIn("havana", "America/Havana");
  const at = "2026-11-01T04:30:00.000Z"; // 00:30 CDT on Nov 1 (clocks fall back at 01:00 CDT = 05:00Z)
  expect(periodKeys(new Date(at), "America/Havana")).toEqual({ day: "day:2026-11-01@America/Havana", month: "month:2026-11@America/Havana" });
  await book("evt_hav", org, key, at, 900);
  // The lease answer's ledger figure (what the proxy repairs its counter from) for the month the proxy counts it in:
  const grant = await serveLease(r.sql, "eu", { scope: `ten:${org}`, period: "month:2026-11", spentMicros: 0 }, undefined, new Date(at));
  const october = await levelStatus(r.sql, `ten:${org}`, "month:2026-10", new Date(at));
  expect({ novemberLedger: grant.managed ? grant.ledgerSpentMicros : null, octoberSpent: october?.spentMicros })
    .toEqual({ novemberLedger: 900, octoberSpent: "0" });
});
