/**
 * After a zone change the same label has alerts in two zones (budget_alerts is keyed by time_zone, the
 * webhook body carries timeZone): GraphQL budgetAlerts names each alert's zone, so two
 * "day:2026-03-09 80%" alerts for different 24 hours can be told apart.
 */
import { expect, test } from "bun:test";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { serveLease } from "./serve-lease.ts";

const r = useLeaseRegions();

const insert = (org: string, key: string, id: string, at: Date, cost: number) => r.sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
    input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
  values (${id}, ${at}, ${`req_${id}`}, 'eu', 1, ${org}, ${key}, 'chat', 'chat', false, 6, 4, 0, 0, 0, ${cost}, 5, 'ok', 1)`;

test("budgetAlerts tells the zone of each alert's period", async () => {
  const org = await r.tenant("alert-zone-org", 1_000_000);
  await r.sql`update tenants set time_zone = 'Asia/Tokyo' where id = ${org}`;
  const key = await r.key(org, null);
  const scope = `ten:${org}`;
  const tokyoAt = new Date("2026-03-09T01:00:00Z");
  await insert(org, key, "evt_az_tk", tokyoAt, 900_000);
  await serveLease(r.sql, "eu", { scope, period: "day:2026-03-09", timeZone: "Asia/Tokyo", spentMicros: 0 }, undefined, tokyoAt);
  await r.sql`update tenants set time_zone = 'America/Los_Angeles' where id = ${org}`;
  const laAt = new Date("2026-03-09T20:00:00Z");
  await insert(org, key, "evt_az_la", laAt, 900_000);
  await serveLease(r.sql, "eu", { scope, period: "day:2026-03-09", timeZone: "America/Los_Angeles", spentMicros: 0 }, undefined, laAt);
  const stored = await r.sql<{ zone: string }[]>`select time_zone as zone from budget_alerts where scope = ${scope} and threshold_percent = 80 order by time_zone`;
  expect(stored.map((s) => s.zone)).toEqual(["America/Los_Angeles", "Asia/Tokyo"]);
  const res = await r.t.admin.request<{ budgetAlerts: { period: string; timeZone: string }[] }>(`query($t: ID!) { budgetAlerts(tenantId: $t) { period thresholdPercent timeZone } }`, { t: org });
  expect(res.budgetAlerts.map((a) => `${a.period}@${a.timeZone}`).sort()).toEqual(["day:2026-03-09@America/Los_Angeles", "day:2026-03-09@Asia/Tokyo"]);
});
