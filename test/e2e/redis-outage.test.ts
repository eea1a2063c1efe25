/**
 * Done-when 5: a Redis this test starts itself (never the machine's shared one) is stopped in the middle
 * of a load run over two replicas: no request fails because of it (the tenant's budget fails open, its
 * own choice), /health reports the degradation, and once Redis is back the replicas share their
 * counters again, so a key's RPM holds across them instead of each replica's share, and the budget's
 * spend counter, lost with the restart, is raised back to the ledger.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import Redis from "ioredis";
import postgres from "postgres";
import { periodKeys } from "../../region-proxy/counters/period.ts";
import { createRedisBudgetLedger } from "../../region-proxy/counters/redis-budget-ledger.ts";
import { applyApprovedChange } from "../../control-plane/testing/approved-change.ts";
import type { RunningProxy } from "../../region-proxy/main.ts";
import { startLeasedReplicas, stopLeasedReplicas, type LeasedReplica } from "../support/leased-replicas.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";
import { freePort } from "../support/ports.ts";
import { clearOfDayEnd } from "../support/clear-of-day-end.ts";

let stack: TestStack;
let port: number;
let redisProcess: ReturnType<typeof Bun.spawn> | null = null;
let limitedSecret: string;
const replicas: LeasedReplica[] = [];

async function startRedis(): Promise<void> {
  redisProcess = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdout: "ignore", stderr: "ignore" });
  const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => {});
  await eventually(async () => {
    try {
      await probe.connect();
      return (await probe.ping()) === "PONG";
    } catch {
      probe.disconnect();
      return false;
    }
  }, 5000, "redis-server to answer (is redis-server installed?)");
  probe.disconnect();
}

async function stopRedis(): Promise<void> {
  redisProcess?.kill("SIGKILL");
  await redisProcess?.exited;
  redisProcess = null;
}

async function health(proxy: RunningProxy): Promise<{ countersDegraded: boolean }> {
  return (await fetch(`${proxy.url}/health`)).json() as Promise<{ countersDegraded: boolean }>;
}

beforeAll(async () => {
  port = freePort();
  await startRedis();
  stack = await startStack({ regions: ["eu"] });
  await stack.admin.request(`mutation { setPrice(input: { provider: "openai", model: "echo-1", inputUsdPerMillion: 1, outputUsdPerMillion: 1 }) { model } }`);
  await applyApprovedChange(stack.admin, stack.controlPlane.url, "budget that fails open", [{ op: "tenant.policy", id: stack.demo.tenantId, tenantPolicy: { dailyBudgetUsd: 100, budgetFailOpen: true } }]);
  const { createKey } = await stack.admin.request<{ createKey: { secret: string } }>(
    `mutation($t: ID!) { createKey(input: { tenantId: $t, name: "rpm 20", rpm: 20 }) { secret } }`,
    { t: stack.demo.tenantId },
  );
  limitedSecret = createKey.secret;
  replicas.push(...(await startLeasedReplicas(stack, { redisUrl: `redis://127.0.0.1:${port}`, prefix: "gw:eu:", leaseRefreshMs: 200 })));
}, 30_000);

afterAll(async () => {
  await stopLeasedReplicas(replicas);
  await stopRedis();
  await stack?.stop();
});

/** The longest the test takes once started: the 3 s load, the bursts, Redis's return and the 10 s wait for the counter. */
const TEST_SPAN_MS = 30_000;

const body = { max_tokens: 4, messages: [{ role: "user" as const, content: "one two three four five six" }] };

test("Redis stopped mid-load: no request fails, /health says degraded, limits are shared again once it is back", async () => {
  // The counter checked at the end is today's (UTC) and the ledger is summed over the test's whole
  // stack: the test runs inside one day, so both hold the same requests (clear-of-day-end.ts).
  await clearOfDayEnd(TEST_SPAN_MS);
  const clients = replicas.map(({ proxy }) => new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 }));
  expect(await Promise.all(replicas.map((r) => health(r.proxy)))).toMatchObject([{ countersDegraded: false }, { countersDegraded: false }]);

  // Six workers (three streaming), one request every 40 ms each, for 3 s; Redis dies after 1 s.
  const failures: unknown[] = [];
  let done = 0;
  const until = Date.now() + 3000;
  const workers = Array.from({ length: 6 }, async (_, w) => {
    while (Date.now() < until) {
      try {
        if (w < 3) {
          const answer = await clients[w % 2]!.chat.completions.create({ model: stack.demo.alias, ...body });
          expect(answer.usage?.completion_tokens).toBe(4);
        } else {
          let tokens = 0;
          for await (const chunk of await clients[w % 2]!.chat.completions.create({ model: stack.demo.alias, ...body, stream: true, stream_options: { include_usage: true } })) tokens = chunk.usage?.completion_tokens ?? tokens;
          expect(tokens).toBe(4);
        }
        done++;
      } catch (error) {
        failures.push(error);
      }
      await Bun.sleep(40);
    }
  });
  await Bun.sleep(1000);
  await stopRedis();
  const sawDegraded = await eventually(async () => (await Promise.all(replicas.map((r) => health(r.proxy)))).every((h) => h.countersDegraded), 3000, "/health to report degraded counters");
  await Promise.all(workers);
  expect(sawDegraded).toBe(true);
  // /ready reports the degradation but stays 200: the replicas keep serving on their local share.
  for (const { proxy } of replicas) {
    const ready = await fetch(`${proxy.url}/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { degraded: string[] }).degraded).toEqual(["counters"]);
  }
  expect(failures).toEqual([]);
  expect(done).toBeGreaterThan(30);

  // While degraded, one replica alone enforces its share of rpm 20: 10.
  const limited = new OpenAI({ baseURL: `${replicas[0]!.proxy.url}/v1`, apiKey: limitedSecret, maxRetries: 0 });
  const burst = async () =>
    (await Promise.all(Array.from({ length: 30 }, () => limited.chat.completions.create({ model: stack.demo.alias, ...body }).then(() => true, () => false)))).filter(Boolean).length;
  const degradedAdmitted = await burst();
  expect(degradedAdmitted).toBeGreaterThanOrEqual(10);
  expect(degradedAdmitted).toBeLessThanOrEqual(11);

  // Redis returns (empty): both replicas rejoin it, and the key's full rpm 20 is counted in one shared bucket.
  await startRedis();
  await eventually(async () => (await Promise.all(replicas.map((r) => health(r.proxy)))).every((h) => !h.countersDegraded), 5000, "/health to report shared counters again");
  expect(((await (await fetch(`${replicas[0]!.proxy.url}/ready`)).json()) as { degraded: string[] }).degraded).toEqual([]);
  const sharedAdmitted = await burst();
  expect(sharedAdmitted).toBeGreaterThanOrEqual(20);
  expect(sharedAdmitted).toBeLessThanOrEqual(21);
  const other = new OpenAI({ baseURL: `${replicas[1]!.proxy.url}/v1`, apiKey: limitedSecret, maxRetries: 0 });
  // The other replica sees the same, spent bucket.
  const refused = await other.chat.completions.create({ model: stack.demo.alias, ...body }).then(() => null, (e: unknown) => e);
  expect(refused).toBeInstanceOf(OpenAI.APIError);
  expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(429);

  // The restarted Redis came back empty: the lease answers raise the region's spend counter to the ledger.
  const sql = postgres(stack.db.url, { max: 1, onnotice: () => {} });
  const client = new Redis({ port, host: "127.0.0.1" });
  try {
    const counter = createRedisBudgetLedger(client, { prefix: "gw:eu:" });
    const level = [`ten:${stack.demo.tenantId}`, periodKeys(new Date(), "UTC").day] as const;
    const ledgerSpent = async () => Number((await sql<{ spent: string }[]>`select coalesce(sum(cost_micros), 0)::text as spent from usage_events where tenant_id = ${stack.demo.tenantId}`)[0]!.spent);
    await eventually(async () => {
      const [spent, ledger] = [(await counter.status(...level)).spentMicros, await ledgerSpent()];
      return ledger > 0 && spent === ledger;
    }, 10_000, "the counter to be raised to the ledger");
  } finally {
    client.disconnect();
    await sql.end({ timeout: 1 });
  }
}, 60_000 + TEST_SPAN_MS);
