/**
 * A price with a long-context tier: the budget reservation holds the tier's rates (the dearer of base
 * and tier), because the prompt is only estimated before the call and a prompt estimated under the
 * threshold may be over it by the vendor's count. The settlement then charges what the real usage costs.
 */
import { expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { createMemoryRateLimiter } from "../counters/memory-rate-limiter.ts";
import { createLimitEnforcer } from "./enforce-limits.ts";
import { DEPLOYMENT, ORG, PROJECT, testKey, testSnapshot } from "./test-snapshot.ts";

const NOW = new Date("2026-11-25T12:00:00Z");

async function reserved(promptTokens: number, maxOutputTokens: number): Promise<number> {
  const enforcer = createLimitEnforcer({ limiter: createMemoryRateLimiter(), budgets: createMemoryBudgetLedger(), degraded: () => false });
  const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: 1_000_000_000 } } });
  snapshot.pricing[`${DEPLOYMENT.provider}:${DEPLOYMENT.model}`] = {
    input: 1_000_000,
    output: 2_000_000,
    longContext: { thresholdTokens: 1_000, input: 2_000_000, output: 3_000_000 },
  };
  const result = await enforcer.admit({ snapshot, key: testKey(), tenantId: PROJECT, featureId: null, request: { promptTokens, maxOutputTokens }, deployment: DEPLOYMENT, now: NOW });
  if (!result.ok) throw new Error("refused");
  return result.ticket.reservedMicros;
}

test("a prompt estimated over the threshold reserves at the tier", async () => {
  expect(await reserved(5_000, 100)).toBe(5_000 * 2 + 100 * 3);
});

test("a prompt estimated under the threshold reserves at the tier too: the vendor's count may pass it", async () => {
  expect(await reserved(900, 100)).toBe(900 * 2 + 100 * 3);
});
