/**
 * A region's reported spend is believed only up to what it could have spent under its leases: its
 * grant for the level and period plus REPORTED_OVERRUN_FRACTION of it (the reservation estimate
 * error), never less than its ledger spend. Above that the report is ignored and logged once per
 * region, level and period; the region's usage events still reach the ledger, which stays authoritative.
 */
import { expect, test } from "bun:test";
import { grantOnRecord, reportableSpend } from "./lease-reported-spend.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";

const r = useLeaseRegions();

async function openTenant(name: string): Promise<string> {
  const id = await r.tenant(name, 1_000_000);
  await r.key(id, null);
  return id;
}

async function reported(scope: string, period: string, region: string): Promise<number> {
  const [row] = await r.sql<{ n: string }[]>`select reported_spent_micros::text as n from budget_leases where scope = ${scope} and period = ${period} and region = ${region}`;
  return Number(row!.n);
}

const ignoredLines = (scope: string, period: string) => r.t.logs.filter((l) => l.includes(scope) && l.includes(period) && l.includes("ignored"));

test("what a region can have spent: its grant and a tenth of it, or its ledger spend when that is more", () => {
  expect(reportableSpend(0, 0)).toBe(0);
  expect(reportableSpend(104_000, 0)).toBe(114_400);
  expect(reportableSpend(50_000, 70_000)).toBe(70_000);
  expect(reportableSpend(Number.MAX_SAFE_INTEGER, 0)).toBe(Number.MAX_SAFE_INTEGER);
});

test("an answer that leaves no room does not raise the grant on record; one with room, or the ledger, does", () => {
  expect(grantOnRecord(104_000, 54_000, 50_000, 0)).toBe(104_000);
  expect(grantOnRecord(55_000, 55_000, 50_000, 0)).toBe(50_000);
  expect(grantOnRecord(30_000, 30_000, 50_000, 0)).toBe(30_000);
  expect(grantOnRecord(300_000, 300_000, 0, 300_000)).toBe(300_000);
});

test("a region with no grant that reports the whole cap of a tenant it serves is believed for nothing: the other region keeps its grant and grows, no alert fires", async () => {
  const org = await openTenant("served-both");
  const scope = `ten:${org}`;
  const period = "day:2026-05-01";
  expect((await r.ask("us", [{ scope, period, spentMicros: 0, needMicros: 1000 }])).json.grants[0]).toMatchObject({ grantedMicros: 50_000, exhausted: false });
  const eu = (await r.ask("eu", [{ scope, period, spentMicros: 1_000_000 }])).json.grants[0];
  expect(eu.exhausted).toBe(false);
  expect(await reported(scope, period, "eu")).toBe(0);
  const us = (await r.ask("us", [{ scope, period, spentMicros: 40_000, needMicros: 60_000 }])).json.grants[0];
  expect(us.exhausted).toBe(false);
  expect(us.grantedMicros).toBeGreaterThanOrEqual(100_000);
  expect([...(await r.sql`select scope from budget_alerts where tenant_id = ${org}`)]).toEqual([]);
  // Logged once with the numbers, not on every renewal that repeats the figure.
  await r.ask("eu", [{ scope, period, spentMicros: 1_000_000 }]);
  expect(ignoredLines(scope, period)).toEqual([expect.stringMatching(/region eu reported 1000000 µ\$ spent .* at most 0 µ\$ \(granted 0, ledger 0, overrun allowance 10% of the grant\): the excess is ignored/)]);
});

test("a region that spent a little over its grant is believed up to the allowance, and no further", async () => {
  const org = await openTenant("overrun");
  const scope = `ten:${org}`;
  const period = "day:2026-05-02";
  expect((await r.ask("eu", [{ scope, period, spentMicros: 0 }])).json.grants[0].grantedMicros).toBe(50_000);
  // 4,000 over its 50,000: within a tenth of the grant, believed.
  const next = (await r.ask("eu", [{ scope, period, spentMicros: 54_000 }])).json.grants[0];
  expect(await reported(scope, period, "eu")).toBe(54_000);
  expect(ignoredLines(scope, period)).toEqual([]);
  // Whatever the grant grew to (its size follows the spend rate), a report past it and its tenth counts only up to there.
  const granted: number = next.grantedMicros;
  await r.ask("eu", [{ scope, period, spentMicros: 50_000_000 }]);
  expect(await reported(scope, period, "eu")).toBe(granted + Math.floor(granted / 10));
  expect(ignoredLines(scope, period)).toHaveLength(1);
});

test("a region's ledger spend is always believed, however far past its grant", async () => {
  const org = await openTenant("ledger-floor");
  const scope = `ten:${org}`;
  const period = "day:2026-05-03";
  await r.sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
    values (${`evt_${crypto.randomUUID()}`}, '2026-05-03T12:00:00Z', 'req_x', 'eu', 1, ${org}, 'key_x', 'chat', 'chat', false, 1, 1, 0, 0, 0, 300000, 5, 'ok', 1)`;
  const eu = (await r.ask("eu", [{ scope, period, spentMicros: 400_000 }])).json.grants[0];
  expect(eu).toMatchObject({ ledgerSpentMicros: 300_000, grantedMicros: 350_000 });
  expect(await reported(scope, period, "eu")).toBe(300_000);
});

test("a region over a lowered cap cannot raise what is believed by reporting more on every ask", async () => {
  const org = await openTenant("ratchet");
  const scope = `ten:${org}`;
  const period = "day:2026-05-04";
  expect((await r.ask("eu", [{ scope, period, spentMicros: 0 }])).json.grants[0].grantedMicros).toBe(50_000);
  await r.ask("us", [{ scope, period, spentMicros: 0, needMicros: 900_000 }]);
  // The cap drops under what is held: every answer is over-committed and only acknowledges spend.
  await r.sql`update tenants set daily_budget_micros = 500000 where id = ${org}`;
  for (let i = 1; i <= 20; i++) {
    const eu = (await r.ask("eu", [{ scope, period, spentMicros: 1_000_000 * i }])).json.grants[0];
    expect(eu.exhausted).toBe(true);
  }
  expect(await reported(scope, period, "eu")).toBe(55_000);
  expect(ignoredLines(scope, period)).toHaveLength(1);
});
