/**
 * The proxy as deployed (startProxy with no extras, in-process counters) leases its budgets from the
 * control plane: a $0.02 daily budget admits exactly five $0.004 requests, the sixth is refused 429
 * insufficient_quota, and the control plane holds this region's lease.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import postgres from "postgres";
import { applyApprovedChange } from "../../control-plane/testing/approved-change.ts";
import { clearOfDayEnd } from "../support/clear-of-day-end.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
let sql: postgres.Sql;

beforeAll(async () => {
  stack = await startStack({ regions: ["eu"] });
  sql = postgres(stack.db.url, { max: 1, onnotice: () => {} });
  await stack.admin.request(`mutation { setPrice(input: { provider: "openai", model: "echo-1", inputUsdPerMillion: 0, outputUsdPerMillion: 1000 }) { model } }`);
  await applyApprovedChange(stack.admin, stack.controlPlane.url, "daily budget", [{ op: "tenant.policy", id: stack.demo.tenantId, tenantPolicy: { dailyBudgetUsd: 0.02 } }]);
  const { configVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  await eventually(() => stack.proxies.eu!.snapshotVersion() >= configVersion, 5000, "the proxy to load the budget");
}, 30_000);

afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await stack?.stop();
});

test("the default proxy enforces a global budget through its lease", async () => {
  const client = new OpenAI({ baseURL: `${stack.proxies.eu!.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  const body = { model: stack.demo.alias, max_tokens: 4, messages: [{ role: "user" as const, content: "one two three four five six" }] };
  // A daily budget: run across UTC midnight, the sixth request had a new day's budget and a second lease.
  await clearOfDayEnd(20_000);
  for (let i = 0; i < 5; i++) await client.chat.completions.create(body);
  const refused = await client.chat.completions.create(body).then(() => null, (e: unknown) => e);
  expect(refused).toBeInstanceOf(OpenAI.APIError);
  expect((refused as InstanceType<typeof OpenAI.APIError>).code).toBe("insufficient_quota");
  const leases = await sql<{ region: string; granted: string }[]>`select region, granted_micros::text as granted from budget_leases where scope = ${`ten:${stack.demo.tenantId}`}`;
  expect(leases.map((l) => [l.region, Number(l.granted)])).toEqual([["eu", 20_000]]);
}, 60_000);
