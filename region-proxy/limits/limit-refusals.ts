/**
 * What a refused request is told, in OpenAI's words: the level (scope) that refused it, the limit, and
 * when a retry can pass. Messages name scopes (`key:key_…`, `ten:ten_…`, `feature:ten_…:<id>`), never
 * another tenant's numbers beyond the level the caller itself belongs to.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { Operation } from "../../shared/snapshot/provider-operations.ts";
import type { ReserveResult } from "../counters/budget-types.ts";
import type { LimitVerdict } from "../counters/rate-limit-types.ts";
import type { LimitPlan } from "./limit-plan.ts";

const usd = (micros: number) => `$${(micros / 1_000_000).toFixed(micros % 10_000 === 0 ? 2 : 6)}`;

/** What the count of each operation holds, and what the caller can reduce to fit a TPM level. */
const TOKENS_OF: Record<Operation, { counted: string; reduce: string }> = {
  chat: { counted: "prompt estimate + max output", reduce: "Reduce the prompt or max_tokens." },
  embeddings: { counted: "input estimate", reduce: "Reduce the input." },
};

const WHAT: Record<"requests" | "tokens", string> = { requests: "requests per minute (RPM)", tokens: "tokens per minute (TPM)" };

/**
 * The 429 for a rate level: which scope and kind tripped, its limit as enforced (the one the headers
 * show; while Redis is down, this replica's share, said so), and when to retry, or that no wait helps
 * (a zero limit, or OpenAI's "Request too large": a request its full bucket cannot hold).
 */
export function rateRefusal(verdict: LimitVerdict, plan: LimitPlan, estimatedTokens: number, operation: Operation = "chat"): GatewayError {
  const { counted, reduce } = TOKENS_OF[operation];
  const { scope, kind, limit } = verdict.tripped!;
  const asked = plan.rate.find((c) => c.scope === scope)?.[kind === "requests" ? "rpm" : "tpm"];
  const share = asked !== null && asked !== undefined && asked !== limit ? ` (this replica's share of ${asked} while the shared rate-limit counters are unavailable)` : "";
  if (verdict.forGood) {
    // No wait helps: no Retry-After, and x-should-retry: false.
    const message =
      limit <= 0
        ? `${scope} allows no requests: its ${WHAT[kind]} limit is 0.`
        : `Request too large for tokens per minute (TPM) on ${scope}: limit ${limit}${share}, requested ${estimatedTokens} (${counted}). ${reduce}`;
    return { kind: "rate_limited", limitType: kind, retryAfterMs: null, message };
  }
  const retryAfterSeconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  const need = kind === "tokens" ? ` This request needs ${estimatedTokens} tokens (${counted}).` : "";
  return {
    kind: "rate_limited",
    limitType: kind,
    retryAfterMs: verdict.retryAfterMs,
    message: `Rate limit reached for ${WHAT[kind]} on ${scope}: limit ${limit}${share}.${need} Please try again in ${retryAfterSeconds}s.`,
  };
}

/**
 * The 429 for an exhausted budget level; the 503 (retryable) when a fail-closed budget cannot be
 * checked, or when requests in flight hold what the spend leaves (they settle, usually far below their
 * worst case, and the same request then passes).
 */
export function budgetRefusal(result: Extract<ReserveResult, { ok: false }>, micros: number, operation: Operation = "chat"): GatewayError {
  if (result.unavailable) {
    return {
      kind: "budget_unavailable",
      retryAfterSeconds: 1,
      message: `The budget for ${result.scope} cannot be checked while the shared counters are unavailable, and its budgets fail closed. Retry shortly.`,
    };
  }
  // The level's own period: a day and a month of one scope may have the same cap.
  const period = result.period ? ` (${result.period})` : "";
  if (result.heldByReservations) {
    return {
      kind: "budget_unavailable",
      retryAfterSeconds: 1,
      message:
        `The budget for ${result.scope}${period} is held by requests in flight: spent ${usd(result.spentMicros)} and reserved ${usd(result.reservedMicros)} ` +
        `of ${usd(result.capMicros)}; this request may cost up to ${usd(micros)}, which the spend leaves room for. Retry once they finish.`,
    };
  }
  if (micros > result.capMicros) {
    // No period's budget holds it (OpenAI's "Request too large", for money): only a smaller request fits.
    const { counted, reduce } = TOKENS_OF[operation];
    return {
      kind: "budget_exceeded",
      message:
        `Budget exceeded for ${result.scope}${period}: this request may cost up to ${usd(micros)} (${counted} at the deployment's price), ` +
        `more than the whole budget of ${usd(result.capMicros)}, so it can never pass. ${reduce}`,
    };
  }
  return {
    kind: "budget_exceeded",
    message:
      `Budget exceeded for ${result.scope}${period}: spent ${usd(result.spentMicros)} and reserved ${usd(result.reservedMicros)} ` +
      `of ${usd(result.capMicros)}; this request may cost up to ${usd(micros)}.`,
  };
}
