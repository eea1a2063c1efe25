/**
 * The limits step tokenizes the prompt only when a TPM level or a budget needs the count: BPE over a
 * long prompt costs more than the rest of the proxy's request path (a 4 kB prompt ~75 us measured).
 */
import { expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { createMemoryRateLimiter } from "../counters/memory-rate-limiter.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimitEnforcer } from "./enforce-limits.ts";
import { DEPLOYMENT, ORG, PROJECT, testKey, testSnapshot } from "./test-snapshot.ts";

const NOW = new Date("2026-11-25T12:00:00Z");
const request: ChatRequest = { model: "chat", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, max_tokens: 10, raw: {} };
const usage = { inputTokens: 40, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

function counting() {
  const calls = { n: 0 };
  const enforcer = createLimitEnforcer({
    limiter: createMemoryRateLimiter(),
    budgets: createMemoryBudgetLedger(),
    degraded: () => false,
    estimate: () => {
      calls.n++;
      return 40;
    },
  });
  const admit = (snapshot: ReturnType<typeof testSnapshot>) => enforcer.admit({ snapshot, key: testKey(), tenantId: PROJECT, featureId: null, request, deployment: DEPLOYMENT, now: NOW });
  return { calls, admit };
}

test("no limits, or RPM only: the prompt is not tokenized on the request path, nor at settle", async () => {
  for (const snapshot of [testSnapshot(), testSnapshot({ [ORG]: { limits: { rpm: 100 } } })]) {
    const { calls, admit } = counting();
    const result = await admit(snapshot);
    if (!result.ok) throw new Error("refused");
    await result.ticket.settle(usage, 45);
    expect(calls.n).toBe(0);
    // Still there for whoever asks.
    expect(result.ticket.estimatedTokens).toBe(40 + 10);
    expect(calls.n).toBe(1);
  }
});

test("a TPM level or a budget gets the estimate before admitting, and TPM is charged with it", async () => {
  for (const snapshot of [testSnapshot({ [ORG]: { limits: { tpm: 1_000 } } }), testSnapshot({ [ORG]: { budgets: { dailyMicros: 1_000_000 } } })]) {
    const { calls, admit } = counting();
    const result = await admit(snapshot);
    if (!result.ok) throw new Error("refused");
    expect(calls.n).toBe(1);
    expect(result.ticket.estimatedTokens).toBe(50);
  }
  const { admit } = counting();
  const tpm = await admit(testSnapshot({ [ORG]: { limits: { tpm: 1_000 } } }));
  expect(tpm.headers["x-ratelimit-remaining-tokens"]).toBe(String(1_000 - 50));
});
