/**
 * The ledger is the authority: a region's Redis spend counter that lost its data (a Redis restart
 * without persistence, a failover) is set back from the PostgreSQL ledger by the next lease answer,
 * with the ledger's version, so two replicas repairing at once set it once instead of adding twice.
 * And a reservation whose call fails is released at once: nothing stays reserved after the answer.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import type postgres from "postgres";
import { periodKeys } from "../../region-proxy/counters/period.ts";
import { createRedisBudgetLedger } from "../../region-proxy/counters/redis-budget-ledger.ts";
import { applyApprovedChange } from "../../control-plane/testing/approved-change.ts";
import { clearOfDayEnd } from "../support/clear-of-day-end.ts";
import type { TestRedis } from "../support/redis.ts";
import { startLeasedReplicaStack, type LeasedReplica, type LeasedReplicaStack } from "../support/leased-replicas.ts";
import { eventually, type TestStack } from "../support/stack.ts";

let running: LeasedReplicaStack;
let stack: TestStack;
let redis: TestRedis;
let sql: postgres.Sql;
let replicas: LeasedReplica[];

beforeAll(async () => {
  running = await startLeasedReplicaStack({
    leaseRefreshMs: 100,
    usageFlushMs: 100,
    async prepare(stack) {
      await stack.admin.request(`mutation { setPrice(input: { provider: "openai", model: "echo-1", inputUsdPerMillion: 0, outputUsdPerMillion: 1000 }) { model } }`);
      // An alias whose only deployment always fails (the echo vendor answers 500 for error-500* models).
      const { createDeployment } = await stack.admin.request<{ createDeployment: { id: string } }>(
        `mutation($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }`,
        { input: { provider: "openai", baseUrl: `${stack.echo.url}/v1`, model: "error-500-always", region: "eu", credentialRef: "env:ECHO_VENDOR_API_KEY" } },
      );
      // Priced before an alias routes to it: an alias may not route to an unpriced model.
      await stack.admin.request(`mutation { setPrice(input: { provider: "openai", model: "error-500-always", inputUsdPerMillion: 0, outputUsdPerMillion: 1000 }) { model } }`);
      await stack.admin.request(`mutation { createAlias(input: { name: "broken", deploymentIds: ["${createDeployment.id}"] }) { name } }`);
      await applyApprovedChange(stack.admin, stack.controlPlane.url, "daily budget", [{ op: "tenant.policy", id: stack.demo.tenantId, tenantPolicy: { dailyBudgetUsd: 1 } }]);
    },
  });
  ({ stack, redis, sql, replicas } = running);
}, 30_000);

afterAll(() => running?.stop());

const body = (model: string) => ({ model, max_tokens: 4, messages: [{ role: "user" as const, content: "one two three four five six" }] });

test("a lost Redis spend counter is set back from the ledger once, though both replicas repair it", async () => {
  const clients = replicas.map(({ proxy }) => new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 }));
  // The replicas book each request in the UTC day it arrived: run across midnight, some of the ten
  // (or the last one) spent in the next day's level, not the one checked here (a run at 23:59:56).
  await clearOfDayEnd(20_000);
  for (let i = 0; i < 10; i++) await clients[i % 2]!.chat.completions.create(body(stack.demo.alias));
  const scope = `ten:${stack.demo.tenantId}`;
  const period = periodKeys(new Date(), "UTC").day;
  const ledger = createRedisBudgetLedger(redis.client, { prefix: `${redis.prefix}eu:` });
  await eventually(async () => (await sql`select 1 from usage_events where tenant_id = ${stack.demo.tenantId}`).length === 10, 5000, "the ledger");
  expect((await ledger.status(scope, period)).spentMicros).toBe(40_000);

  // Redis loses the level (as after a restart without persistence): the region would think it spent nothing.
  const keys = await redis.client.keys(`${redis.prefix}eu:*bg:*${scope}`);
  expect(keys.length).toBeGreaterThan(0);
  await redis.client.del(...keys);
  expect((await ledger.status(scope, period)).spentMicros).toBe(0);

  // The next lease answers carry the ledger's 40 000 µ$ at version 10; both replicas apply it, once.
  await eventually(async () => (await ledger.status(scope, period)).spentMicros === 40_000, 5000, "the counter to be repaired");
  await Bun.sleep(500);
  expect((await ledger.status(scope, period)).spentMicros).toBe(40_000);
  const [hash] = keys.filter((k) => k.includes(":h:"));
  expect(await redis.client.hget(hash!, "ver")).toBe("10");

  // New spend adds on top of the repaired value as usual.
  await clients[0]!.chat.completions.create(body(stack.demo.alias));
  expect((await ledger.status(scope, period)).spentMicros).toBe(44_000);
}, 60_000);

test("a reservation whose call fails is released at once", async () => {
  const client = new OpenAI({ baseURL: `${replicas[0]!.proxy.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  const scope = `ten:${stack.demo.tenantId}`;
  const period = periodKeys(new Date(), "UTC").day;
  const ledger = createRedisBudgetLedger(redis.client, { prefix: `${redis.prefix}eu:` });
  const before = await ledger.status(scope, period);
  const failure = await client.chat.completions.create(body("broken")).then(() => null, (e: unknown) => e);
  expect(failure).toBeInstanceOf(OpenAI.APIError);
  expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  // Released by the time the client has the answer, or a moment after (settle runs beside the response).
  await eventually(async () => (await ledger.status(scope, period)).reservedMicros === 0, 1000, "the reservation to be released");
  expect((await ledger.status(scope, period)).spentMicros).toBe(before.spentMicros);
}, 30_000);
