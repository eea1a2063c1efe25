/**
 * The limits step asks the rate limiter and the budget ledger at once (with shared counters, one round
 * trip before the vendor call instead of two), then reads the answers rate first: a rate refusal does
 * not wait for the budget and gives the reservation back, a budget refusal gives the tokens back, and a
 * failing counter gives back whatever the other side took.
 */
import { expect, test } from "bun:test";
import type { BudgetCheck, ReserveResult } from "../counters/budget-types.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { createMemoryRateLimiter } from "../counters/memory-rate-limiter.ts";
import type { LimitCheck, LimitVerdict, RateLimiter } from "../counters/rate-limit-types.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimitEnforcer, type EnforcerBudgets } from "./enforce-limits.ts";
import { DEPLOYMENT, ORG, PROJECT, testKey, testSnapshot } from "./test-snapshot.ts";
import { UNIT_TEST_WAIT_MS, waitFor } from "../testing/wait-for.ts";

const NOW = new Date("2026-11-25T12:00:00Z");
const DAY = "day:2026-11-25@UTC";
const request: ChatRequest = { model: "chat", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, max_tokens: 10, raw: {} };
const limitedAndBudgeted = testSnapshot({ [ORG]: { limits: { rpm: 1, tpm: 10_000 }, budgets: { dailyMicros: 1_000_000 } } });
const admitInput = () => ({ snapshot: limitedAndBudgeted, key: testKey(), tenantId: PROJECT, featureId: null, request, deployment: DEPLOYMENT, now: NOW });

/** A limiter whose acquire waits until released, recording what the ledger did meanwhile. */
function gatedLimiter(inner: RateLimiter, onAcquire: () => void): { limiter: RateLimiter; open: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    open,
    limiter: {
      async acquire(checks: LimitCheck[], tokens: number, nowMs?: number): Promise<LimitVerdict> {
        onAcquire();
        await gate;
        return inner.acquire(checks, tokens, nowMs);
      },
      adjustTokens: (checks, delta, nowMs) => inner.adjustTokens(checks, delta, nowMs),
    },
  };
}

test("the budget is asked while the rate limiter has not answered yet", async () => {
  const ledger = createMemoryBudgetLedger();
  const events: string[] = [];
  const { limiter, open } = gatedLimiter(createMemoryRateLimiter(), () => events.push("acquire asked"));
  const budgets: EnforcerBudgets = {
    async reserve(checks: BudgetCheck[], micros: number): Promise<ReserveResult> {
      events.push("reserve asked");
      return ledger.reserve(checks, micros);
    },
    settle: (reservation, actual) => ledger.settle(reservation, actual),
    release: (reservation) => ledger.release(reservation),
  };
  const enforcer = createLimitEnforcer({ limiter, budgets, degraded: () => false });
  const pending = enforcer.admit(admitInput());
  // The limiter's answer is held until open(): the ledger can only have been asked alongside it.
  await waitFor(() => events.length === 2, "both counters asked", UNIT_TEST_WAIT_MS);
  expect(events).toEqual(["acquire asked", "reserve asked"]);
  open();
  expect((await pending).ok).toBe(true);
});

test("a rate refusal gives back the reservation made alongside it", async () => {
  const ledger = createMemoryBudgetLedger();
  let released = 0;
  const budgets: EnforcerBudgets = {
    reserve: (checks, micros) => ledger.reserve(checks, micros),
    settle: (reservation, actual) => ledger.settle(reservation, actual),
    async release(reservation) {
      await ledger.release(reservation);
      released++;
    },
  };
  const enforcer = createLimitEnforcer({ limiter: createMemoryRateLimiter(), budgets, degraded: () => false });
  const first = await enforcer.admit(admitInput());
  if (!first.ok) throw new Error("the first request was refused");
  const held = first.ticket.reservedMicros;
  expect(held).toBeGreaterThan(0);
  const second = await enforcer.admit(admitInput()); // RPM 1: refused
  expect(second.ok).toBe(false);
  if (!second.ok) expect(second.error.kind).toBe("rate_limited");
  // Only the first request's reservation is held: the refused one's was given back (in the background).
  await waitFor(() => released === 1, "the refused request's reservation given back", UNIT_TEST_WAIT_MS);
  expect(await ledger.status(`ten:${ORG}`, DAY)).toEqual({ spentMicros: 0, reservedMicros: held });
});

test("a budget ledger that fails gives the tokens back and the error goes up; a failing limiter releases the reservation", async () => {
  const limiter = createMemoryRateLimiter();
  const ledger = createMemoryBudgetLedger();
  const broken: EnforcerBudgets = { reserve: async () => Promise.reject(new Error("ledger down")), settle: ledger.settle, release: ledger.release };
  const snapshot = testSnapshot({ [ORG]: { limits: { tpm: 1_000 }, budgets: { dailyMicros: 1_000_000 } } });
  const enforcer = createLimitEnforcer({ limiter, budgets: broken, degraded: () => false });
  await expect(enforcer.admit({ ...admitInput(), snapshot })).rejects.toThrow("ledger down");
  // The tokens charged alongside were refunded: a fresh acquire sees the whole TPM.
  const verdict = await limiter.acquire([{ scope: `ten:${ORG}`, tpm: 1_000 }], 0, NOW.getTime());
  expect(verdict.tokens?.remaining).toBe(1_000);

  const failingLimiter: RateLimiter = { acquire: async () => Promise.reject(new Error("limiter down")), adjustTokens: async () => {} };
  const second = createLimitEnforcer({ limiter: failingLimiter, budgets: ledger, degraded: () => false });
  await expect(second.admit(admitInput())).rejects.toThrow("limiter down");
  expect(await ledger.status(`ten:${ORG}`, DAY)).toEqual({ spentMicros: 0, reservedMicros: 0 });
});

test("a rate refusal does not wait for the budget's answer", async () => {
  const ledger = createMemoryBudgetLedger();
  let answerBudget!: () => void;
  const budgetAnswered = new Promise<void>((resolve) => (answerBudget = resolve));
  let released = 0;
  const slowBudget: EnforcerBudgets = {
    async reserve(checks: BudgetCheck[], micros: number): Promise<ReserveResult> {
      await budgetAnswered;
      return ledger.reserve(checks, micros);
    },
    settle: (reservation, actual) => ledger.settle(reservation, actual),
    release: async (reservation) => {
      await ledger.release(reservation);
      released++;
    },
  };
  const limiter = createMemoryRateLimiter();
  // The org's one request a minute is used up.
  expect((await limiter.acquire([{ scope: `ten:${ORG}`, rpm: 1 }], 0, NOW.getTime())).allowed).toBe(true);
  const enforcer = createLimitEnforcer({ limiter, budgets: slowBudget, degraded: () => false });
  const result = await enforcer.admit(admitInput());
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error.kind).toBe("rate_limited");
  // The budget answers afterwards, and what it reserved is given back.
  answerBudget();
  // Not the ledger at 0 as the condition: it is 0 before the late reservation is made too.
  await waitFor(() => released === 1, "the late reservation given back", UNIT_TEST_WAIT_MS);
  expect(await ledger.status(`ten:${ORG}`, DAY)).toEqual({ spentMicros: 0, reservedMicros: 0 });
});
