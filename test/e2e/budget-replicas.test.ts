/**
 * Done-when 1: 500 concurrent requests, streaming and not, against a tenant with a $1.00 daily budget,
 * spread over two replicas of one region (one Redis prefix, leases from the real control plane).
 * From the ledger, after every event is delivered: spend never exceeds $1.00 + the largest single
 * reservation, and no request was refused while less than 90% of the budget was spent (for each
 * refusal, the spend of the requests settled before it reached the client).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type postgres from "postgres";
import { applyApprovedChange } from "../../control-plane/testing/approved-change.ts";
import { clearOfDayEnd } from "../support/clear-of-day-end.ts";
import { startLeasedReplicaStack, type LeasedReplica, type LeasedReplicaStack } from "../support/leased-replicas.ts";
import { eventually, type TestStack } from "../support/stack.ts";

const CAP = 1_000_000;
/** $625 per million output tokens, input free: max_tokens 4 → every reservation and every cost is $0.0025. */
const COST = 2_500;
let running: LeasedReplicaStack;
let stack: TestStack;
let sql: postgres.Sql;
let replicas: LeasedReplica[];

beforeAll(async () => {
  running = await startLeasedReplicaStack({
    leaseRefreshMs: 200,
    usageFlushMs: 100,
    async prepare(stack) {
      await stack.admin.request(`mutation { setPrice(input: { provider: "openai", model: "echo-1", inputUsdPerMillion: 0, outputUsdPerMillion: 625 }) { model } }`);
      await applyApprovedChange(stack.admin, stack.controlPlane.url, "daily budget", [{ op: "tenant.policy", id: stack.demo.tenantId, tenantPolicy: { dailyBudgetUsd: 1 } }]);
    },
  });
  ({ stack, sql, replicas } = running);
}, 30_000);

afterAll(() => running?.stop());

type Outcome = { ok: true } | { ok: false; at: number };

/**
 * The load runs in its own process, as real clients do: 500 requests in flight from the test's own
 * process would share Bun's fetch pool (256 connections by default) with the proxies' calls to the
 * control plane and the vendor, which no deployment does.
 */
const LOAD_SCRIPT = `
const { urls, key, alias, n } = JSON.parse(process.env.LOAD);
const { default: OpenAI } = await import("openai");
const clients = urls.map((url) => new OpenAI({ baseURL: url + "/v1", apiKey: key, maxRetries: 0, timeout: 60000 }));
const body = { model: alias, max_tokens: 4, messages: [{ role: "user", content: "one two three four five six" }] };
async function call(i) {
  const client = clients[i % clients.length];
  try {
    if (i % 4 < 2) {
      let tokens = null;
      for await (const chunk of await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } })) if (chunk.usage) tokens = chunk.usage.completion_tokens;
      return { ok: true, tokens };
    }
    return { ok: true, tokens: (await client.chat.completions.create(body)).usage?.completion_tokens ?? null };
  } catch (error) {
    return { ok: false, at: Date.now(), status: error.status ?? null, code: error.code ?? String(error) };
  }
}
console.log(JSON.stringify(await Promise.all(Array.from({ length: n }, (_, i) => call(i)))));
`;

async function runLoad(urls: string[], n: number): Promise<(Outcome & { tokens?: number | null; status?: number | null; code?: string })[]> {
  const child = Bun.spawn([process.execPath, "-e", LOAD_SCRIPT], {
    cwd: join(import.meta.dir, "../.."),
    env: { ...process.env, LOAD: JSON.stringify({ urls, key: stack.demo.keySecret, alias: stack.demo.alias, n }), BUN_CONFIG_MAX_HTTP_REQUESTS: "1024" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`load client exited ${code}: ${err.slice(0, 500)}`);
  return JSON.parse(out);
}

test("500 concurrent requests over two replicas: within $1.00 + one reservation, no refusal below 90% spent", async () => {
  // The proxies book each request in the UTC day it arrived: a load across midnight is admitted under
  // two days' caps, so the ledger (summed over all days) passes the one cap.
  await clearOfDayEnd(30_000);
  const outcomes = await runLoad(replicas.map((r) => r.proxy.url), 500);
  for (const o of outcomes) {
    if (o.ok) expect(o.tokens).toBe(4);
    else expect([o.status, o.code]).toEqual([429, "insufficient_quota"]);
  }
  const ok = outcomes.filter((o) => o.ok).length;
  const refusals = outcomes.filter((o): o is { ok: false; at: number } => !o.ok);
  // 400 requests of $0.0025 spend $1.00: the rest must be refused, for the budget only.
  expect(refusals.length).toBeGreaterThan(0);

  const events = await eventually(async () => {
    const rows = await sql<{ cost: string; end: string }[]>`
      select cost_micros::text as cost, (extract(epoch from time) * 1000 + latency_ms)::float8::text as "end"
      from usage_events where tenant_id = ${stack.demo.tenantId} and status = 'ok'`;
    return rows.length === ok ? rows.map((r) => ({ cost: Number(r.cost), end: Number(r.end) })) : undefined;
  }, 15_000, "every usage event in the ledger");
  const spent = events.reduce((sum, e) => sum + e.cost, 0);
  expect(spent).toBe(ok * COST);
  expect(spent).toBeLessThanOrEqual(CAP + COST);
  for (const refusal of refusals) {
    const before = events.filter((e) => e.end <= refusal.at).reduce((sum, e) => sum + e.cost, 0);
    expect(before).toBeGreaterThanOrEqual(0.9 * CAP);
  }
  const both = await sql<{ n: number }[]>`select count(distinct request_id)::int as n from usage_events where tenant_id = ${stack.demo.tenantId}`;
  expect(both[0]!.n).toBe(ok);
}, 90_000);
