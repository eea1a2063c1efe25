/**
 * Budget alerts fire at 80% and at 100% of a cap, each once per level, period and cap: a second
 * crossing at the same cap is a no-op, but a cap raised (or lowered) mid-period gets its own alerts.
 * Before, one row per level and period (80% only) locked out every later alert in that period.
 */
import { expect, test } from "bun:test";
import { webhookReceiver } from "../testing/webhook-receiver.ts";
import { startWebhookWorker } from "./deliver-webhooks.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";

const r = useLeaseRegions();

/** The alerts of a level and period, oldest first, as threshold and cap. */
async function alertsOf(scope: string, period: string): Promise<{ thresholdPercent: number; cap: string }[]> {
  return [
    ...(await r.sql<{ thresholdPercent: number; cap: string }[]>`
      select threshold_percent as "thresholdPercent", cap_micros::text as cap from budget_alerts
      where scope = ${scope} and period = ${period} order by created_at, threshold_percent`),
  ];
}

/** A ledger row for `tenantId`'s key, as ingestion writes it. */
async function usage(tenantId: string, keyId: string, time: string, costMicros: number): Promise<void> {
  await r.sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
    values (${`evt_${crypto.randomUUID()}`}, ${time}, 'req_x', 'eu', 1, ${tenantId}, ${keyId}, 'chat', 'chat', false, 1, 1, 0, 0, 0, ${costMicros}, 5, 'ok', 1)`;
}

test("80% and 100% each fire once per cap; a raised cap fires both again for the new cap", async () => {
  const scope = "ten:ten_thresholds";
  const period = "month:2025-01";
  const raise = (cap: number, spent: number) => raiseAlertIfCrossed(r.sql, { tenantId: "ten_thresholds", scope, period, timeZone: "UTC", capMicros: cap, spentMicros: spent });
  const percents = async (cap: number, spent: number) => (await raise(cap, spent)).map((a) => a.thresholdPercent);

  expect(await percents(1_000, 799)).toEqual([]);
  expect(await percents(1_000, 800)).toEqual([80]);
  expect(await percents(1_000, 990)).toEqual([]);
  expect(await percents(1_000, 1_000)).toEqual([100]);
  expect(await percents(1_000, 5_000)).toEqual([]);
  // The operator raises the cap 100x after the alerts: the new cap is a new budget to warn about.
  expect(await percents(100_000, 5_000)).toEqual([]);
  expect(await percents(100_000, 80_000)).toEqual([80]);
  expect(await percents(100_000, 100_000)).toEqual([100]);
  expect(await percents(100_000, 100_001)).toEqual([]);
  expect(await alertsOf(scope, period)).toEqual([
    { thresholdPercent: 80, cap: "1000" },
    { thresholdPercent: 100, cap: "1000" },
    { thresholdPercent: 80, cap: "100000" },
    { thresholdPercent: 100, cap: "100000" },
  ]);
});

test("spend that jumps past both thresholds at once raises both alerts; each new id is returned once", async () => {
  const raise = () => raiseAlertIfCrossed(r.sql, { tenantId: "ten_jump", scope: "ten:ten_jump", period: "day:2025-01-01", timeZone: "UTC", capMicros: 1_000, spentMicros: 1_200 });
  const first = await raise();
  expect(first.map((a) => a.thresholdPercent)).toEqual([80, 100]);
  for (const a of first) expect(a.id).toMatch(/^bal_/);
  expect(await raise()).toEqual([]);
});

test("the lease service raises the 100% alert, and alerts again after the cap is raised", async () => {
  const org = await r.tenant("alerts-org", 1_000_000);
  const keyId = await r.key(org, null);
  const scope = `ten:${org}`;
  const period = "day:2026-11-21";
  const time = "2026-11-21T12:00:00Z";
  const renew = () => r.ask("eu", [{ scope, period, spentMicros: 0 }]);

  await usage(org, keyId, time, 850_000);
  await renew();
  expect(await alertsOf(scope, period)).toEqual([{ thresholdPercent: 80, cap: "1000000" }]);
  await usage(org, keyId, time, 150_000);
  await renew();
  await renew();
  expect(await alertsOf(scope, period)).toEqual([
    { thresholdPercent: 80, cap: "1000000" },
    { thresholdPercent: 100, cap: "1000000" },
  ]);
  // The operator answers the alerts by doubling the cap: 50% spent, nothing new; at 80% of it, a new alert.
  await r.sql`update tenants set daily_budget_micros = 2000000 where id = ${org}`;
  await renew();
  expect(await alertsOf(scope, period)).toHaveLength(2);
  await usage(org, keyId, time, 600_000);
  await renew();
  expect((await alertsOf(scope, period)).at(-1)).toEqual({ thresholdPercent: 80, cap: "2000000" });
  expect(await alertsOf(scope, period)).toHaveLength(3);
});

test("budgetAlerts and the webhook body say which threshold fired", async () => {
  const org = await r.tenant("alerts-listed", 1_000);
  const raised = await raiseAlertIfCrossed(r.sql, { tenantId: org, scope: `ten:${org}`, period: "day:2026-01-05", timeZone: "UTC", capMicros: 1_000, spentMicros: 1_000 });
  const { budgetAlerts } = await r.t.admin.request<{ budgetAlerts: { id: string; threshold: number; thresholdPercent: number; capMicros: string }[] }>(
    `query($t: ID!) { budgetAlerts(tenantId: $t) { id threshold thresholdPercent capMicros } }`,
    { t: org },
  );
  const byId = (id: string) => budgetAlerts.find((a) => a.id === id);
  expect(byId(raised[0]!.id)).toEqual({ id: raised[0]!.id, threshold: 0.8, thresholdPercent: 80, capMicros: "1000" });
  expect(byId(raised[1]!.id)).toEqual({ id: raised[1]!.id, threshold: 1, thresholdPercent: 100, capMicros: "1000" });

  const hook = webhookReceiver(204);
  try {
    const worker = startWebhookWorker({ sql: r.sql, url: hook.url, log: () => {}, tickMs: 60_000 });
    await worker.tick();
    await worker.stop();
  } finally {
    hook.stop();
  }
  const mine = hook.received.map((h) => JSON.parse(h.body) as Record<string, unknown>).filter((b) => b.tenantId === org).sort((a, b) => (a.thresholdPercent as number) - (b.thresholdPercent as number));
  expect(mine.map((b) => [b.alertId, b.thresholdPercent, b.threshold])).toEqual([
    [raised[0]!.id, 80, 0.8],
    [raised[1]!.id, 100, 1],
  ]);
});
