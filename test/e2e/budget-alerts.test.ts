/**
 * Done-when 4: crossing 80% of a daily budget raises ONE alert per scope, period and cap, and spending
 * it all (100%) one more: each a row listed by GraphQL budgetAlerts, and one POST to the webhook
 * configured on the control plane, however many lease renewals see the budget above the threshold afterwards. A failing webhook is retried with
 * backoff from the deliveries table, across a worker restart.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import OpenAI from "openai";
import postgres from "postgres";
import { newId } from "../../shared/ids.ts";
import { startControlPlane } from "../../control-plane/main.ts";
import { startWebhookWorker } from "../../control-plane/budgets/deliver-webhooks.ts";
import { raiseAlertIfCrossed } from "../../control-plane/budgets/raise-alert.ts";
import { principalWith } from "../../control-plane/testing/principals.ts";
import { adminClient } from "../../infra/local/admin-client.ts";
import { startProxy, type RunningProxy } from "../../region-proxy/main.ts";
import { createLeasedLimits, type RunningLeasedLimits } from "../../region-proxy/leases/leased-limits.ts";
import { clearOfDayEnd } from "../support/clear-of-day-end.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

interface Received {
  alertId: string | null;
  body: Record<string, unknown>;
}

/** A local webhook receiver; `answer` decides each status (200 unless told otherwise). */
function receiver(answer: (n: number) => number = () => 200) {
  const received: Received[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(request) {
      received.push({ alertId: request.headers.get("x-gateway-alert-id"), body: (await request.json()) as Record<string, unknown> });
      return new Response(null, { status: answer(received.length) });
    },
    error: () => new Response(null, { status: 500 }),
  });
  return { url: `http://127.0.0.1:${server.port}/hooks/budget`, received, stop: () => server.stop(true) };
}

let stack: TestStack;
let sql: postgres.Sql;
let hook: ReturnType<typeof receiver>;
let proxy: RunningProxy;
let limits: RunningLeasedLimits;

beforeAll(async () => {
  stack = await startStack({ regions: ["eu"] });
  hook = receiver();
  // The same control plane (database, keys, port) again, now with a webhook configured.
  const port = stack.controlPlane.port;
  await stack.controlPlane.stop();
  stack.controlPlane = await startControlPlane({ port, databaseUrl: stack.db.url, dataDir: join(stack.dataDir, "control-plane"), adminToken: stack.adminToken, budgetWebhookUrl: hook.url, log: () => {} });
  stack.admin = adminClient(stack.controlPlane.url, stack.adminToken);
  sql = postgres(stack.db.url, { max: 2, onnotice: () => {} });

  // $0.004 per request against a $0.10 daily budget: the 20th request crosses 80%.
  await stack.admin.request(`mutation { setPrice(input: { provider: "openai", model: "echo-1", inputUsdPerMillion: 0, outputUsdPerMillion: 1000 }) { model } }`);
  const ann = await principalWith(stack.admin, stack.controlPlane.url, "ann", [{ role: "approver" }]);
  const ben = await principalWith(stack.admin, stack.controlPlane.url, "ben", [{ role: "finance" }, { role: "approver" }]);
  const { proposeChange } = await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "daily budget", operations: [{ op: "tenant.policy", id: stack.demo.tenantId, tenantPolicy: { dailyBudgetUsd: 0.1 } }] },
  });
  await ben.client.request(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeChange.id });

  await Promise.all(Object.values(stack.proxies).map((p) => p.stop()));
  stack.proxies = {};
  const proxyId = newId("prx");
  const common = { region: "eu", controlPlaneUrl: stack.controlPlane.url, regionToken: stack.demo.regionTokens.eu! };
  limits = await createLeasedLimits({ ...common, proxyId, leaseRefreshMs: 100 });
  proxy = await startProxy(
    { ...common, proxyId, trustedJwks: stack.controlPlane.jwks, dataDir: join(stack.dataDir, "leased-eu"), port: 0, snapshotPollMs: 200, usageFlushMs: 100, credentials: { ECHO_VENDOR_API_KEY: stack.echoApiKey }, log: () => {} },
    { limits: limits.enforcer },
  );
  const { configVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  await eventually(() => proxy.snapshotVersion() >= configVersion, 5000, "the proxy to load the budget");
}, 30_000);

afterAll(async () => {
  await proxy?.stop().catch(() => {});
  await limits?.close().catch(() => {});
  hook?.stop();
  await sql?.end({ timeout: 1 });
  await stack?.stop();
});

test("the 80% and 100% alerts fire once each, reach the webhook once each, and are listed in GraphQL", async () => {
  const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  const body = { model: stack.demo.alias, max_tokens: 4, messages: [{ role: "user" as const, content: "one two three four five six" }] };
  // A daily budget: run across UTC midnight, the 25 requests' spend was split between two days and
  // neither crossed 80%, so no alert came.
  await clearOfDayEnd(30_000);
  for (let i = 0; i < 19; i++) await client.chat.completions.create(body);
  // 19 × $0.004 = $0.076: under the threshold, nothing may fire (give the renewals time to see it).
  await Bun.sleep(1500);
  expect(hook.received).toHaveLength(0);

  // 25 × $0.004 = $0.10: the whole budget, so past 80% and then at 100%.
  for (let i = 0; i < 6; i++) await client.chat.completions.create(body);
  await eventually(() => hook.received.length >= 2, 10_000, "the webhook POSTs");
  // Renewals keep seeing the budget above both thresholds (and the worker keeps ticking): still one POST each.
  await Bun.sleep(2500);
  expect(hook.received).toHaveLength(2);
  const [warning, spent] = [...hook.received].sort((a, b) => (a.body.thresholdPercent as number) - (b.body.thresholdPercent as number));
  const scope = `ten:${stack.demo.tenantId}`;
  expect(warning!.body).toMatchObject({ type: "budget.threshold_crossed", tenantId: stack.demo.tenantId, scope, threshold: 0.8, thresholdPercent: 80, capMicros: 100_000 });
  expect(spent!.body).toMatchObject({ type: "budget.threshold_crossed", tenantId: stack.demo.tenantId, scope, threshold: 1, thresholdPercent: 100, capMicros: 100_000 });
  expect(warning!.body.period).toMatch(/^day:\d{4}-\d{2}-\d{2}$/);
  expect(spent!.body.period).toBe(warning!.body.period);
  expect(warning!.body.spentMicros as number).toBeGreaterThanOrEqual(80_000);
  expect(spent!.body.spentMicros as number).toBeGreaterThanOrEqual(100_000);
  for (const post of [warning!, spent!]) expect(post.alertId).toBe(post.body.alertId as string);

  const { budgetAlerts } = await stack.admin.request<{ budgetAlerts: { id: string; scope: string; period: string; thresholdPercent: number; deliveryStatus: string; deliveryAttempts: number }[] }>(
    `query($t: ID!) { budgetAlerts(tenantId: $t) { id scope period thresholdPercent deliveryStatus deliveryAttempts } }`,
    { t: stack.demo.tenantId },
  );
  const listed = (post: Received) => ({ id: post.alertId!, scope, period: post.body.period as string, thresholdPercent: post.body.thresholdPercent as number, deliveryStatus: "delivered", deliveryAttempts: 1 });
  expect([...budgetAlerts].sort((a, b) => a.thresholdPercent - b.thresholdPercent)).toEqual([listed(warning!), listed(spent!)]);

  // Status: spent from the ledger, the region's unspent lease as reserved, remaining = cap − both.
  const { budgetStatus } = await stack.admin.request<{ budgetStatus: { levels: { scope: string; capMicros: string; spentMicros: string; reservedMicros: string; remainingMicros: string; periodEnd: string; regions: { region: string }[] }[] } }>(
    `query($t: ID!) { budgetStatus(tenantId: $t) { levels { scope capMicros spentMicros reservedMicros remainingMicros periodEnd regions { region } } } }`,
    { t: stack.demo.tenantId },
  );
  const [level] = budgetStatus.levels;
  const [ledger] = await sql<{ spent: string }[]>`select coalesce(sum(cost_micros), 0)::text as spent from usage_events where tenant_id = ${stack.demo.tenantId}`;
  expect(level!.scope).toBe(scope);
  expect(level!.capMicros).toBe("100000");
  expect(level!.spentMicros).toBe(ledger!.spent);
  expect(Number(level!.spentMicros)).toBe(25 * 4000);
  expect(Number(level!.remainingMicros)).toBe(Math.max(0, 100_000 - Number(level!.spentMicros) - Number(level!.reservedMicros)));
  expect(new Date(level!.periodEnd).getTime()).toBeGreaterThan(Date.now());
  expect(level!.regions.map((r) => r.region)).toEqual(["eu"]);
}, 90_000);

test("a failing webhook is retried with backoff from the deliveries table, across a worker restart", async () => {
  // The control plane's own worker claims any due delivery and sends it to its own URL
  // (deliver-webhooks.ts claimDue): it raced this test's workers and, ticking between their attempts,
  // delivered the row to its webhook (a CI run saw two posts at the flaky receiver, then "delivered").
  // Started again without a webhook URL, it delivers nothing while this test runs.
  const port = stack.controlPlane.port;
  await stack.controlPlane.stop();
  stack.controlPlane = await startControlPlane({ port, databaseUrl: stack.db.url, dataDir: join(stack.dataDir, "control-plane"), adminToken: stack.adminToken, log: () => {} });
  const flaky = receiver((n) => (n <= 2 ? 503 : 200));
  try {
    // The alert and its delivery row in one transaction, so the control plane's own worker cannot queue it for its URL first.
    const alertId = await sql.begin(async (tx) => {
      const id = (await raiseAlertIfCrossed(tx, { tenantId: stack.demo.tenantId, scope: `ten:${stack.demo.tenantId}`, period: "month:2020-01", timeZone: "UTC", capMicros: 1000, spentMicros: 900 }))[0]!.id;
      await tx`insert into webhook_deliveries (alert_id, url, payload) values (${id}, ${flaky.url}, ${sql.json({ alertId: id })})`;
      return id;
    });
    expect(alertId).toMatch(/^bal_/);
    // A second crossing of 80% at the same level, period and cap is a no-op.
    expect(await raiseAlertIfCrossed(sql, { tenantId: stack.demo.tenantId, scope: `ten:${stack.demo.tenantId}`, period: "month:2020-01", timeZone: "UTC", capMicros: 1000, spentMicros: 950 })).toEqual([]);
    const options = { sql, url: flaky.url, log: () => {}, tickMs: 60_000, baseBackoffMs: 100, maxBackoffMs: 400 };
    const first = startWebhookWorker(options);
    await first.tick();
    await first.stop();
    expect(flaky.received).toHaveLength(1);
    const [row] = await sql<{ attempts: number; status: string; lastError: string }[]>`select attempts, status, last_error as "lastError" from webhook_deliveries where alert_id = ${alertId}`;
    expect(row).toEqual({ attempts: 1, status: "pending", lastError: "HTTP 503" });

    // A new worker (a restarted control plane) picks the delivery up from the table when it is due.
    const second = startWebhookWorker(options);
    await eventually(async () => {
      await second.tick();
      const [done] = await sql<{ status: string }[]>`select status from webhook_deliveries where alert_id = ${alertId}`;
      return done!.status === "delivered";
    }, 5000, "the delivery to succeed");
    await second.stop();
    expect(flaky.received.map((r) => r.alertId)).toEqual([alertId, alertId, alertId]);
    const [final] = await sql<{ attempts: number }[]>`select attempts from webhook_deliveries where alert_id = ${alertId}`;
    expect(final!.attempts).toBe(3);
  } finally {
    flaky.stop();
  }
}, 20_000);
