/**
 * A budget cap holds only if what a request reserves covers what it can be charged: the rounding of
 * the reservation (up, at least 1 µ$ for a priced request) against the settlement's.
 */
import { expect, test } from "bun:test";
import { costMicros, ZERO_USAGE } from "../../shared/money/cost.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { createMemoryRateLimiter } from "../counters/memory-rate-limiter.ts";
import { periodKeys } from "../counters/period.ts";
import { createLimitEnforcer } from "./enforce-limits.ts";
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
