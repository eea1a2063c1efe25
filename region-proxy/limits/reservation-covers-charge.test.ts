/**
 * A budget cap holds only if what a request reserves covers what it can be charged: the rounding of
 * the reservation (up, at least 1 µ$ for a priced request) against the settlement's.
 */
import { describe, expect, test } from "bun:test";
import { costMicros, ZERO_USAGE } from "../../shared/money/cost.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { createMemoryRateLimiter } from "../counters/memory-rate-limiter.ts";
import { periodKeys } from "../counters/period.ts";
import { toAnthropicBody } from "../providers/anthropic/request.ts";
import { toGeminiBody } from "../providers/gemini/request.ts";
import { buildOpenAIRequest } from "../providers/openai/request.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimitEnforcer, maxOutputTokens } from "./enforce-limits.ts";
import { DEPLOYMENT, ORG, PROJECT, testKey, testSnapshot } from "./test-snapshot.ts";

const NOW = new Date("2026-11-25T12:00:00Z");
const DAY = periodKeys(NOW, "UTC").day;

function enforcerWithLedger() {
  const ledger = createMemoryBudgetLedger();
  const enforcer = createLimitEnforcer({ limiter: createMemoryRateLimiter(), budgets: ledger, degraded: () => false });
  return { ledger, enforcer };
}

test("a request costing a fraction of a micro-USD reserves 1, so what it settles at never passes the cap", async () => {
  const { ledger, enforcer } = enforcerWithLedger();
  // gpt-4o-mini's price: one embedding token is 0.15 µ$.
  const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: 20 } } });
  snapshot.pricing["openai:gpt-4o-mini"] = { input: 150_000, output: 600_000 };
  const usage = { ...ZERO_USAGE, inputTokens: 1 };
  let admittedCount = 0;
  for (let i = 0; i < 100; i++) {
    const result = await enforcer.admit({ snapshot, key: testKey(), tenantId: PROJECT, featureId: null, request: { promptTokens: 1, maxOutputTokens: 0 }, deployment: DEPLOYMENT, now: NOW });
    if (!result.ok) continue;
    admittedCount++;
    expect(result.ticket.reservedMicros).toBe(1);
    await result.ticket.settle(usage, costMicros(usage, snapshot.pricing["openai:gpt-4o-mini"]!, `evt_${i}`));
  }
  expect(admittedCount).toBeGreaterThan(20);
  expect((await ledger.status(`ten:${ORG}`, DAY)).spentMicros).toBeLessThanOrEqual(20);
});

test("a priced request is refused once spend has reached the cap, even one whose worst case is under 1 µ$", async () => {
  const { ledger, enforcer } = enforcerWithLedger();
  const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: 5 } } });
  snapshot.pricing["openai:gpt-4o-mini"] = { input: 150_000, output: 600_000 };
  const first = await enforcer.admit({ snapshot, key: testKey(), tenantId: PROJECT, featureId: null, request: { promptTokens: 30, maxOutputTokens: 0 }, deployment: DEPLOYMENT, now: NOW });
  if (!first.ok) throw new Error("refused");
  await first.ticket.settle({ ...ZERO_USAGE, inputTokens: 30 }, 5);
  expect(await ledger.status(`ten:${ORG}`, DAY)).toEqual({ spentMicros: 5, reservedMicros: 0 });
  // Even a request of no estimated tokens at all holds 1 µ$ when its model is priced.
  for (const promptTokens of [1, 0]) {
    const next = await enforcer.admit({ snapshot, key: testKey(), tenantId: PROJECT, featureId: null, request: { promptTokens, maxOutputTokens: 0 }, deployment: DEPLOYMENT, now: NOW });
    expect(next.ok).toBe(false);
  }
});

describe("the worst-case output is what a vendor may be asked for", () => {
  const ask = (fields: Partial<ChatRequest>, raw: Record<string, unknown> = {}): ChatRequest => ({ model: "chat", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw, ...fields });
  const estimated = async (request: ChatRequest) => {
    const enforcer = createLimitEnforcer({ limiter: createMemoryRateLimiter(), budgets: createMemoryBudgetLedger(), degraded: () => false, estimate: () => 10 });
    const result = await enforcer.admit({ snapshot: testSnapshot({ [ORG]: { limits: { tpm: 10_000_000 } } }), key: testKey(), tenantId: PROJECT, featureId: null, request, deployment: DEPLOYMENT, now: NOW });
    if (!result.ok) throw new Error("refused");
    return result.ticket.estimatedTokens - 10;
  };

  test("max_tokens 1 with max_completion_tokens 50,000 reserves 50,000 (Anthropic and Gemini are asked for 50,000)", async () => {
    expect(await estimated(ask({ max_tokens: 1, max_completion_tokens: 50_000 }))).toBe(50_000);
    expect(await estimated(ask({ max_tokens: 50_000, max_completion_tokens: 1 }))).toBe(50_000); // OpenAI gets both as sent
    expect(await estimated(ask({ max_completion_tokens: 70 }))).toBe(70);
    expect(await estimated(ask({ max_tokens: 70 }))).toBe(70);
    expect(await estimated(ask({ max_tokens: 1, max_completion_tokens: 500 }, { n: 3 }))).toBe(1_500);
  });

  test("every adapter that takes one cap is asked for no more than the reservation's per-answer bound", () => {
    for (const [max_tokens, max_completion_tokens] of [[1, 50_000], [50_000, 1], [undefined, 30], [30, undefined]] as const) {
      const request = ask({ ...(max_tokens === undefined ? {} : { max_tokens }), ...(max_completion_tokens === undefined ? {} : { max_completion_tokens }) });
      const bound = maxOutputTokens(request);
      expect(toAnthropicBody(request, "claude").max_tokens as number).toBeLessThanOrEqual(bound);
      expect((toGeminiBody(request).generationConfig as { maxOutputTokens: number }).maxOutputTokens).toBeLessThanOrEqual(bound);
      const openai = JSON.parse(buildOpenAIRequest({ ...request, raw: { max_tokens, max_completion_tokens } }, DEPLOYMENT, "k").body);
      for (const sent of [openai.max_tokens, openai.max_completion_tokens]) if (sent !== undefined) expect(sent).toBeLessThanOrEqual(bound);
    }
  });
});
