/**
 * The limits step sees what the usage event charges: every call the vendor billed, each refused 2xx
 * answer of the walk included. The ticket settles with the sum of their tokens (TPM) and costs
 * (budgets), so a tenant whose requests are refused and retried spends what the vendor invoices.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ZERO_USAGE, type NormalizedUsage } from "../../shared/money/cost.ts";
import { hashSecret } from "../../shared/ids.ts";
import { clearOfDayEnd } from "../../test/support/clear-of-day-end.ts";
import type { RunningProxy } from "../main.ts";
import type { Limits } from "../pipeline/limits.ts";
import { createProxyFixture, PRICE, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const REFUSED_USAGE = { prompt_tokens: 500, completion_tokens: 300, total_tokens: 800 };
const GOOD_USAGE = { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 };
const REFUSED_COST = 500 * 1 + 300 * 2;
const answer = (model: string, choices: unknown[], usage: object) => Response.json({ id: "x", object: "chat.completion", created: 1, model, choices, usage });
const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const { model } = (await request.json()) as { model: string };
    // A 2xx the gateway refuses (a choice without a message) that the vendor billed.
    if (model === "refuses") return answer(model, [{ index: 0, finish_reason: "stop" }], REFUSED_USAGE);
    return answer(model, [{ index: 0, message: { role: "assistant", content: "fine" }, finish_reason: "stop" }], GOOD_USAGE);
  },
});

/** Limits that admit everything and record what each ticket settled with. */
const settled = new Map<string, { usage: NormalizedUsage; costMicros: number } | "released">();
let admitted = 0;
const recording: Limits = {
  async admit() {
    const id = `ticket-${++admitted}`;
    const ticket = {
      headers: {},
      settle: (usage: NormalizedUsage, costMicros: number) => (settled.set(id, { usage, costMicros }), null),
      release: () => (settled.set(id, "released"), null),
    };
    return { ok: true, ticket, headers: {} };
  },
};

const DAILY_BUDGET = 3_000;
let fx: ProxyFixture;
let recorded: RunningProxy;
let budgeted: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const [alias, models] of Object.entries({ twice: ["refuses"], recovers: ["refuses", "good"], good: ["good"] })) {
        // Deployments of their own per alias: no test's failures open a circuit another one walks.
        s.aliases[alias] = { name: alias, chain: models.map((m) => `dep_${alias}_${m}`) };
        for (const m of models) {
          s.deployments[`dep_${alias}_${m}`] = { id: `dep_${alias}_${m}`, provider: "openai", baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model: m, region: REGION, credentialRef: "env:ECHO_KEY" };
          s.pricing[`openai:${m}`] = PRICE;
        }
      }
      s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: DAILY_BUDGET, monthlyMicros: null };
    }),
  );
  recorded = await fx.startProxy({}, { limits: recording });
  budgeted = await fx.startProxy({ dataDir: fx.freshDataDir() });
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

let sent = 0;
/** Sends a chat request; once admitted, waits for its usage event (by then its ticket is closed). */
async function send(proxy: RunningProxy, alias: string, maxTokens: number): Promise<number> {
  const requestId = `req-limits-${++sent}`;
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json", "x-request-id": requestId },
    body: JSON.stringify({ model: alias, messages: [{ role: "user", content: "hi" }], max_tokens: maxTokens }),
  });
  await res.arrayBuffer();
  // A request the limits step refused writes no usage event.
  if (res.status !== 429) await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), "usage event");
  return res.status;
}

test("the ticket settles with the sum of every billed call: the refused ones and the answer", async () => {
  expect(await send(recorded, "twice", 10)).toBe(502);
  expect(settled.get("ticket-1")).toEqual({ usage: { ...ZERO_USAGE, inputTokens: 1_000, outputTokens: 600 }, costMicros: 2 * REFUSED_COST });

  expect(await send(recorded, "recovers", 10)).toBe(200);
  expect(settled.get("ticket-2")).toEqual({ usage: { ...ZERO_USAGE, inputTokens: 1_007, outputTokens: 603 }, costMicros: 2 * REFUSED_COST + 7 + 3 * 2 });
});

test("the budget ledger is charged every refused call: what is left no longer fits a request it would have fitted", async () => {
  // The proxy books each call in the UTC day it arrived: run across midnight, the refused calls spent
  // in the day before and the new day's fresh budget admitted the request expected to be refused.
  await clearOfDayEnd(10_000);
  // A reservation of about 1,200 µ$ fits the fresh 3,000 µ$ budget.
  const reserveMaxTokens = 600;
  // Two refused calls spend 2,200 µ$ (charging only one would leave 1,900, room for that reservation).
  expect(await send(budgeted, "twice", 10)).toBe(502);
  expect(await send(budgeted, "good", reserveMaxTokens)).toBe(429);
  // Something small still fits.
  expect(await send(budgeted, "good", 10)).toBe(200);
}, 15_000);
