/**
 * Done-when 2: one $1.00 daily tenant budget shared by an EU and a US proxy under concurrent load. Each
 * region enforces its lease in its own Redis; the control plane keeps Σ max(granted, spent) ≤ cap. The
 * documented bound (region-proxy/leases/leased-budgets.ts) is cap + the reservation estimate error;
 * here every reservation is exact (input tokens are free, output is exactly max_tokens), so the ledger
 * must not pass $1.00 at all, and the budget must really be used up (≥ 90%) before refusals.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import OpenAI from "openai";
import postgres from "postgres";
import { newId } from "../../shared/ids.ts";
import { startProxy, type RunningProxy } from "../../region-proxy/main.ts";
import { createLeasedLimits, type RunningLeasedLimits } from "../../region-proxy/leases/leased-limits.ts";
import { applyApprovedChange } from "../../control-plane/testing/approved-change.ts";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import { clearOfDayEnd } from "../support/clear-of-day-end.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

const CAP = 1_000_000;
let stack: TestStack;
let redis: TestRedis;
let sql: postgres.Sql;
const running: { proxy: RunningProxy; limits: RunningLeasedLimits }[] = [];

async function leasedProxy(region: string, name: string) {
  const proxyId = newId("prx");
  const common = { controlPlaneUrl: stack.controlPlane.url, regionToken: stack.demo.regionTokens[region]! };
  const limits = await createLeasedLimits({ region, ...common, proxyId, redisUrl: redis.url, prefix: `${redis.prefix}${region}:`, leaseRefreshMs: 200 });
  const proxy = await startProxy(
    { region, ...common, proxyId, trustedJwks: stack.controlPlane.jwks, dataDir: join(stack.dataDir, name), port: 0, snapshotPollMs: 200, usageFlushMs: 100, credentials: { ECHO_VENDOR_API_KEY: stack.echoApiKey }, log: () => {} },
    { limits: limits.enforcer },
  );
  running.push({ proxy, limits });
  return proxy;
}

beforeAll(async () => {
  stack = await startStack({ regions: ["eu", "us"] });
  redis = await createTestRedis();
  sql = postgres(stack.db.url, { max: 2, onnotice: () => {} });
  // $1000 per million output tokens, input free: 4 output tokens = exactly $0.004 per request.
  await stack.admin.request(`mutation { setPrice(input: { provider: "openai", model: "echo-1", inputUsdPerMillion: 0, outputUsdPerMillion: 1000 }) { model } }`);
  expect(await applyApprovedChange(stack.admin, stack.controlPlane.url, "daily budget", [{ op: "tenant.policy", id: stack.demo.tenantId, tenantPolicy: { dailyBudgetUsd: 1 } }])).toBe("applied");
  await Promise.all(Object.values(stack.proxies).map((p) => p.stop()));
  stack.proxies = {};
  const { configVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  for (const region of ["eu", "us"]) {
    const proxy = await leasedProxy(region, `leased-${region}`);
    await eventually(() => proxy.snapshotVersion() >= configVersion, 5000, `${region} proxy to load the budget`);
  }
}, 30_000);

afterAll(async () => {
  for (const { proxy, limits } of running) {
    await proxy.stop().catch(() => {});
    await limits.close().catch(() => {});
  }
  await sql?.end({ timeout: 1 });
  await redis?.cleanup();
  await stack?.stop();
});

type Outcome = "ok" | "insufficient_quota";

async function call(client: OpenAI, stream: boolean): Promise<Outcome> {
  const body = { model: stack.demo.alias, max_tokens: 4, messages: [{ role: "user" as const, content: "one two three four five six" }] };
  try {
    if (stream) {
      const chunks = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of chunks) if (chunk.usage) usage = chunk.usage;
      expect(usage?.completion_tokens).toBe(4);
    } else {
      const answer = await client.chat.completions.create(body);
      expect(answer.usage?.completion_tokens).toBe(4);
    }
    return "ok";
  } catch (error) {
    if (error instanceof OpenAI.APIError && error.status === 429 && error.code === "insufficient_quota") return "insufficient_quota";
    throw error;
  }
}

async function load(proxy: RunningProxy, requests: number, concurrency: number): Promise<Outcome[]> {
  const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        const i = next++;
        outcomes.push(await call(client, i % 2 === 0));
      }
    }),
  );
  return outcomes;
}

test("an EU and a US proxy share a $1.00 daily budget: the ledger stays within the bound and the budget is used", async () => {
  const [eu, us] = [running[0]!.proxy, running[1]!.proxy];
  // A daily budget: run across UTC midnight, the load spent two days' caps (the ledger past CAP) on two
  // days' leases.
  await clearOfDayEnd(30_000);
  const results = await Promise.all([load(eu, 200, 30), load(us, 200, 30)]);
  const ok = results.flat().filter((o) => o === "ok").length;
  const refused = results.flat().length - ok;
  // 250 requests of $0.004 exhaust $1.00: some of the 400 must be refused, and only for the budget.
  expect(refused).toBeGreaterThan(0);
  for (const regional of results) expect(regional.filter((o) => o === "ok").length).toBeGreaterThan(0);

  const ledger = await eventually(async () => {
    const [row] = await sql<{ n: number; spent: string }[]>`select count(*)::int as n, coalesce(sum(cost_micros), 0)::text as spent from usage_events where tenant_id = ${stack.demo.tenantId} and status = 'ok'`;
    return row!.n === ok ? Number(row!.spent) : undefined;
  }, 10_000, "every usage event in the ledger");
  expect(ledger).toBe(ok * 4000);
  expect(ledger).toBeLessThanOrEqual(CAP);
  expect(ledger).toBeGreaterThanOrEqual(0.9 * CAP);
  const byRegion = await sql<{ region: string; spent: string }[]>`select region, sum(cost_micros)::text as spent from usage_events where tenant_id = ${stack.demo.tenantId} group by region order by region`;
  expect(byRegion.map((r) => r.region)).toEqual(["eu", "us"]);

  // The control plane never promised more than the cap across regions.
  const leases = await sql<{ region: string; granted: string; reported: string }[]>`select region, granted_micros::text as granted, reported_spent_micros::text as reported from budget_leases where scope = ${`ten:${stack.demo.tenantId}`}`;
  expect(leases.map((l) => l.region).sort()).toEqual(["eu", "us"]);
  expect(leases.reduce((sum, l) => sum + Math.max(Number(l.granted), Number(l.reported)), 0)).toBeLessThanOrEqual(CAP);
}, 90_000);
