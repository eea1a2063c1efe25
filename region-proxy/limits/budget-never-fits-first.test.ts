/**
 * A request whose worst case alone costs more than a whole budget's cap can never pass (d6431e0): it is
 * told so at once, from the snapshot's caps, before any ledger, lease or Redis is asked. Judged by the
 * ledger's answer instead, it was not: under a lease that can grow the request first asked the control
 * plane for more than the whole cap (a lease that never grew: 503 "cannot be checked ... Retry shortly"
 * after maxWaitMs; a real control plane handed this region all the free budget before the 429), with
 * Redis down and budgets failing closed it was a 503, and a key whose own budget was spent was told
 * that, where the org's budget is one the request can never fit.
 */
import { expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import { freePort } from "../../test/support/ports.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { createMemoryRateLimiter } from "../counters/memory-rate-limiter.ts";
import type { LeaseClient, LeaseView } from "../leases/lease-client.ts";
import { createLeasedBudgets } from "../leases/leased-budgets.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimits } from "./create-limits.ts";
import { createLimitEnforcer, type AdmitResult, type EnforcerBudgets } from "./enforce-limits.ts";
import { estimatePromptTokens } from "./estimate-prompt-tokens.ts";
import { DEPLOYMENT, ORG, testKey, testSnapshot } from "./test-snapshot.ts";

const NOW = new Date("2026-11-25T12:00:00Z");
// No max_tokens: 4096 output tokens at 2 µ$ each, $0.0082 worst case in all.
const noCap: ChatRequest = { model: "chat", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: {} };
const USAGE = { inputTokens: 10, outputTokens: 1000, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

function neverFits(result: AdmitResult, scope: string): void {
  if (result.ok) throw new Error("admitted past the cap");
  // Answered before any counter is asked: no x-ratelimit-* headers (README says so).
  expect(result.headers).toEqual({});
  const rendered = renderError(result.error);
  expect(Object.keys(rendered.headers).filter((name) => name.startsWith("x-ratelimit-"))).toEqual([]);
  expect(rendered.status).toBe(429);
  expect(rendered.headers["x-should-retry"]).toBe("false");
  expect(rendered.body.error.code).toBe("insufficient_quota");
  expect(rendered.body.error.message).toContain(`Budget exceeded for ${scope}`);
  expect(rendered.body.error.message).toContain("more than the whole budget of $0.005000, so it can never pass");
}

test("leased: a lease that never grows is not asked for more than the cap; the request is refused for good at once", async () => {
  const asked: number[] = [];
  const view: LeaseView = { managed: true, capMicros: 5_000, grantedMicros: 1_000, expiresAt: Date.now() + 60_000, exhausted: false, answeredAt: Date.now(), askedForCapMicros: 5_000 };
  const leases: LeaseClient = {
    view: () => view,
    ask: async (_scope, _period, need) => void asked.push(need ?? 0),
    noteReserved: () => {},
    stop: async () => {},
  };
  const ledger = createMemoryBudgetLedger();
  let reserves = 0;
  const counted: EnforcerBudgets = { ...ledger, reserve: (...args) => (reserves++, ledger.reserve(...args)) };
  // A wait far above the bound below, so that the bound has room on a loaded machine and a wait still fails it.
  const budgets = createLeasedBudgets(counted, leases, { maxWaitMs: 10_000 });
  const enforcer = createLimitEnforcer({ limiter: createMemoryRateLimiter(), budgets, degraded: () => false });
  const key = testKey({ budgets: { dailyMicros: 5_000 } });
  // The tokenizer loads on its first count: not the wait this measures.
  estimatePromptTokens(noCap, DEPLOYMENT.model);
  const started = Date.now();
  const result = await enforcer.admit({ snapshot: testSnapshot(), key, tenantId: key.tenantId, featureId: null, request: noCap, deployment: DEPLOYMENT, now: NOW });
  expect(Date.now() - started).toBeLessThan(5_000);
  neverFits(result, "key:key_one (day:2026-11-25@UTC)");
  expect(asked).toEqual([]);
  expect(reserves).toBe(0);
}, 20_000);

test("Redis down, budgets failing closed: refused for good (429), not 'cannot be checked' (503)", async () => {
  const limits = await createLimits({ region: "eu", redisUrl: `redis://127.0.0.1:${freePort()}`, connectWaitMs: 50 });
  try {
    expect(limits.degraded()).toBe(true);
    const key = testKey({ budgets: { dailyMicros: 5_000 } });
    const result = await limits.enforcer.admit({ snapshot: testSnapshot(), key, tenantId: key.tenantId, featureId: null, request: noCap, deployment: DEPLOYMENT, now: NOW });
    neverFits(result, "key:key_one (day:2026-11-25@UTC)");
  } finally {
    await limits.close();
  }
});

test("in-process: a key whose own budget is spent is told of the org budget the request can never fit", async () => {
  const { enforcer, close } = await createLimits({ region: "eu" });
  try {
    const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: 5_000 } } });
    const key = testKey({ budgets: { dailyMicros: 10_000 } });
    const admit = (request: ChatRequest, at = NOW) => enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request, deployment: DEPLOYMENT, now: at });
    // Yesterday's org budget is another period: today the key's $0.01 is spent, the org's $0.005 is not.
    const spend = await admit({ ...noCap, max_tokens: 2_000 });
    if (!spend.ok) throw new Error("refused the first");
    await spend.ticket.settle(USAGE, 10_000);
    neverFits(await admit(noCap), `ten:${ORG} (day:2026-11-25@UTC)`);
  } finally {
    await close();
  }
});

test("in-process: the smallest cap the request exceeds is named, and no ledger is asked", async () => {
  const ledger = createMemoryBudgetLedger();
  let reserves = 0;
  const budgets: EnforcerBudgets = { ...ledger, reserve: (...args) => (reserves++, ledger.reserve(...args)) };
  const enforcer = createLimitEnforcer({ limiter: createMemoryRateLimiter(), budgets, degraded: () => false });
  const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: 5_000 } } });
  const key = testKey({ budgets: { dailyMicros: 8_000 } });
  const result = await enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request: noCap, deployment: DEPLOYMENT, now: NOW });
  neverFits(result, `ten:${ORG} (day:2026-11-25@UTC)`);
  expect(reserves).toBe(0);
});

test("a level that admits no request at all is named before a budget the request is too dear for", async () => {
  const { enforcer, close } = await createLimits({ region: "eu" });
  try {
    const key = testKey({ limits: { rpm: 0 }, budgets: { dailyMicros: 5_000 } });
    const result = await enforcer.admit({ snapshot: testSnapshot(), key, tenantId: key.tenantId, featureId: null, request: noCap, deployment: DEPLOYMENT, now: NOW });
    if (result.ok) throw new Error("admitted");
    const rendered = renderError(result.error);
    expect(rendered.headers["x-should-retry"]).toBe("false");
    expect(rendered.body.error.message).toContain("key:key_one allows no requests");
  } finally {
    await close();
  }
});

test("the never-fits refusal carries no x-ratelimit-* headers, though the key has a rate level (no counter was asked)", async () => {
  const { enforcer, close } = await createLimits({ region: "eu" });
  try {
    const key = testKey({ limits: { rpm: 100 }, budgets: { dailyMicros: 5_000 } });
    const admit = (request: ChatRequest) => enforcer.admit({ snapshot: testSnapshot(), key, tenantId: key.tenantId, featureId: null, request, deployment: DEPLOYMENT, now: NOW });
    const fits = await admit({ ...noCap, max_tokens: 10 });
    if (!fits.ok) throw new Error("refused a request that fits");
    expect(fits.headers["x-ratelimit-limit-requests"]).toBe("100");
    await fits.ticket.release();
    neverFits(await admit(noCap), "key:key_one (day:2026-11-25@UTC)");
  } finally {
    await close();
  }
});
