/**
 * Step 4 of the pipeline: admit a request against every rate and budget level that applies, or refuse
 * it in OpenAI's shape. Refusals come in this order:
 *
 * 0. For good, from the snapshot alone. A level whose RPM or TPM is 0 admits nothing: the limiter
 *    names it (step 1). Else a request whose worst case costs more than some budget's whole cap can
 *    never pass: 429 insufficient_quota, x-should-retry: false, naming the smallest such cap, answered
 *    at once with no ledger, lease or Redis asked.
 *
 * The rest ask both checks at once (one round trip to shared counters, not two), and their answers are
 * read in this order:
 *
 * 1. Rate levels, all at once and all-or-nothing (one Lua call): a request refused at the key level
 *    charges no tenant, no feature. It is refused without waiting for the budget's answer, and the
 *    reservation made alongside is released as soon as it exists.
 * 2. The worst-case cost (estimated prompt + max output at the snapshot's price), reserved on every
 *    budget level at once. If a budget refuses, the token charge of step 1 is refunded at once
 *    (adjustTokens by −estimate): no tokens will be spent. The request itself stays counted, because
 *    the limiter has no request refund and a client retrying against an exhausted budget should still
 *    be paced by its RPM. (A reservation held for the moment a rate refusal takes to arrive can make a
 *    concurrent request near a budget's cap wait or be refused: it errs on the side of the cap.)
 *
 * The ticket closes the request: settle() corrects the token charge to the vendor's usage and turns the
 * reservation into real spend; release() gives everything back at once (the call failed before using
 * the vendor). Both are idempotent, and after either the other is a no-op.
 *
 * The bound this gives on a budget (one region, any number of replicas sharing its Redis): admission
 * checks spent + reserved + worst case ≤ cap atomically, so spend can pass the cap only by what requests
 * cost beyond their reservation: a fallback to a dearer deployment than the first of the route, a
 * prompt the approximate tokenizers under-counted, or 2xx answers the gateway refused before the one
 * it kept (each billed by the vendor, so each charged: settle.ts). With OpenAI-family deployments
 * priced alike along a chain and no refused answer, the ledger stays ≤ cap. A reservation holds as long
 * as its request may run (`mayRunMs`, the route's total, plus RESERVATION_MARGIN_MS); one nobody
 * settles (a crashed replica) expires then.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import { costMicros, worstCasePrice, ZERO_USAGE, type NormalizedUsage, type Price } from "../../shared/money/cost.ts";
import { priceKey, type Snapshot, type SnapshotDeployment, type SnapshotKey } from "../../shared/snapshot/schema.ts";
import type { BudgetCheck, Reservation, ReserveOptions, ReserveResult } from "../counters/budget-types.ts";
import { isThenable } from "../../shared/is-thenable.ts";
import type { MaybeAsync } from "../counters/maybe-async.ts";
import type { LimitCheck, LimitVerdict, RateLimiter } from "../counters/rate-limit-types.ts";
import { outputCapOf, type ChatRequest } from "../providers/types.ts";
import { estimatePromptTokens } from "./estimate-prompt-tokens.ts";
import { planLimits, type LimitPlan } from "./limit-plan.ts";
import { budgetRefusal, rateRefusal } from "./limit-refusals.ts";
import { ratelimitHeaders, withTokensRefunded } from "./ratelimit-headers.ts";

/** The worst-case output per answer of a request that names no cap (there is no region default). */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/**
 * Past a request's deadline its reservation still holds this long: the settle that follows the end
 * (or a request's last write to a slow client) must find it held, not expired.
 */
export const RESERVATION_MARGIN_MS = 60_000;

/** What the enforcer needs from a budget ledger; the resilient ledger also honours `failOpen`. */
export interface EnforcerBudgets {
  reserve(checks: BudgetCheck[], micros: number, options?: ReserveOptions): MaybeAsync<ReserveResult>;
  settle(reservation: Reservation, actualMicros: number): MaybeAsync<void>;
  release(reservation: Reservation): MaybeAsync<void>;
}

export interface LimitEnforcerDeps {
  limiter: RateLimiter;
  budgets: EnforcerBudgets;
  degraded: () => boolean;
  /** The prompt token estimate (default estimatePromptTokens); replaceable to observe when it runs. */
  estimate?: (request: ChatRequest, model: string) => number;
}

/** For routes without chat messages (embeddings, ...): the caller counts, the enforcer charges. */
export interface PrecountedRequest {
  /** The count, or how to get it: called only when a TPM level or a budget needs it (tokenizing costs). */
  promptTokens: number | (() => number);
  maxOutputTokens: number;
}

export interface AdmitInput {
  snapshot: Snapshot;
  key: SnapshotKey;
  tenantId: string;
  featureId: string | null;
  request: ChatRequest | PrecountedRequest;
  /** The first deployment of the planned route: its model picks the tokenizer, its price the reservation. Null = unknown (estimate with the alias, reserve 0). */
  deployment: SnapshotDeployment | null;
  /**
   * The longest the request may run: its planned route's total (walk-chain.ts requestTotalMs). Its
   * budget reservation holds that long plus RESERVATION_MARGIN_MS. Absent: the ledger's default (10 min).
   */
  mayRunMs?: number;
  /**
   * Fixes the clock for budget periods AND the rate limiter (tests). Absent: periods use the local clock
   * and the Redis limiter uses Redis's own clock, so replicas with skewed clocks still agree.
   */
  now?: Date;
  /**
   * When the request arrived (its usage event's time): its budget period is the day and month that
   * event is booked in by the ledger, even when its body took until after midnight to arrive.
   */
  receivedAt?: Date;
}

export interface LimitTicket {
  /** `x-ratelimit-*` for the answer (empty when no rate level applies). */
  headers: Record<string, string>;
  /** Prompt estimate + worst-case output charged to TPM. */
  estimatedTokens: number;
  /** Worst-case cost reserved on every budget level (0 when none applies or the model is unpriced). */
  reservedMicros: number;
  /**
   * The per-answer output cap the worst case counted when the client named none (4096), for the route to send to the vendor (ChatRequest's outputCap): set only when a
   * budget or a TPM level applies, so a key without them keeps its body as sent. Null otherwise.
   */
  outputCap: number | null;
  /**
   * Corrects TPM by (actual − estimated) and settles the reservation to `actualCostMicros`. Idempotent.
   * The correction still running, or null when nothing is left to wait for: no counter touched (no TPM
   * level, no budget, or already closed) or every one corrected at once (in-process counters).
   */
  settle(actualUsage: NormalizedUsage, actualCostMicros: number): Promise<void> | null;
  /** Refunds the token estimate and releases the reservation at once (the call failed). Idempotent; null as settle. */
  release(): Promise<void> | null;
}

export type AdmitResult =
  | { ok: true; ticket: LimitTicket; headers: Record<string, string> }
  | { ok: false; error: GatewayError; headers: Record<string, string> };

export interface LimitEnforcer {
  /**
   * Answered at once when every counter answered at once (in-process counters, leases known), else a
   * promise; a failure is always a rejected promise, never a throw.
   */
  admit(input: AdmitInput): MaybeAsync<AdmitResult>;
  /** True while the shared counters are unreachable (for /ready and /health). */
  degraded(): boolean;
}

/**
 * The worst-case output: the most a vendor may write per answer under the request's own cap (the larger
 * of max_tokens and max_completion_tokens, outputCapOf's bound: what any adapter may ask for), else
 * 4096, for each of its `n` answers (the parser admits whole n of 1-128; vendors bill every answer's tokens).
 */
export function maxOutputTokens(request: ChatRequest): number {
  const perAnswer = outputCapOf(request)?.bound ?? DEFAULT_MAX_OUTPUT_TOKENS;
  const answers = request.raw.n;
  return typeof answers === "number" && Number.isSafeInteger(answers) && answers > 1 ? perAnswer * answers : perAnswer;
}

/** The worst-case cost of a request's tokens at `price`, rounded up; ≥ 1 µ$ when the price is not free. */
function reservationMicros(promptTokens: number, outputTokens: number, price: Price): number {
  const worst = worstCasePrice(price);
  const micros = costMicros({ ...ZERO_USAGE, inputTokens: promptTokens, outputTokens }, worst);
  const free = worst.input <= 0 && worst.output <= 0;
  return Math.min(Number.MAX_SAFE_INTEGER, free ? micros : Math.max(1, micros));
}

/**
 * Both corrections, already started, joined: a failure of one never stops the other (a failed token fix
 * must not leave budget reserved), and the first's failure is the one rethrown. Only one still running:
 * that one, with no promise of its own; none (both done at once, in memory): null.
 */
function both(first: MaybeAsync<void> | null, second: MaybeAsync<void> | null): Promise<void> | null {
  const firstRuns = first !== null && isThenable(first) ? first : null;
  const secondRuns = second !== null && isThenable(second) ? second : null;
  if (!firstRuns || !secondRuns) return firstRuns ?? secondRuns;
  // Handled from here on, so a failure of the second while the first still runs is not "unhandled".
  secondRuns.catch(() => {});
  return firstRuns.then(
    () => secondRuns,
    (error: unknown) => secondRuns.then(() => Promise.reject(error), () => Promise.reject(error)),
  );
}

/**
 * The deployment a request will most likely use: the first of its alias's chain (the one whose price
 * the reservation assumes; a fallback to a dearer one is caught by settle's real cost).
 */
export function firstDeployment(snapshot: Snapshot, alias: string): SnapshotDeployment | null {
  const first = snapshot.aliases[alias]?.chain[0];
  return first ? (snapshot.deployments[first] ?? null) : null;
}

/**
 * A request's prompt estimate and worst-case output, counted on first read: only a TPM level or a
 * budget needs them on the request path (BPE over a long prompt is the limits step's one real cost), and
 * the ticket still answers them afterwards.
 */
class TokenCount {
  private counted = false;
  private prompt = 0;
  private output = 0;

  constructor(
    private readonly request: ChatRequest | PrecountedRequest,
    private readonly model: string | undefined,
    private readonly estimate: (request: ChatRequest, model: string) => number,
  ) {}

  promptTokens(): number {
    this.count();
    return this.prompt;
  }

  outputTokens(): number {
    this.count();
    return this.output;
  }

  total(): number {
    this.count();
    return this.prompt + this.output;
  }

  private count(): void {
    if (this.counted) return;
    const { request } = this;
    if ("messages" in request) {
      this.prompt = this.estimate(request, this.model ?? request.model);
      this.output = maxOutputTokens(request);
    } else {
      this.prompt = typeof request.promptTokens === "number" ? request.promptTokens : request.promptTokens();
      this.output = request.maxOutputTokens;
    }
    this.counted = true;
  }
}

/** Whether any level limits tokens: only then is there a token charge to correct or refund. */
function limitsTokens(rate: LimitCheck[]): boolean {
  for (const check of rate) if (check.tpm !== null && check.tpm !== undefined) return true;
  return false;
}

/** Whether a level admits nothing at all (the limiter names it first, step 1 above). */
function admitsNothing(rate: LimitCheck[]): boolean {
  for (const check of rate) if (check.rpm === 0 || check.tpm === 0) return true;
  return false;
}

/** What an admitted request holds on the counters: a class, so a request makes one object and no closures. */
class Ticket implements LimitTicket {
  /** Set as the rate verdict is read (rateRefused). */
  headers: Record<string, string>;
  reservedMicros = 0;
  outputCap: number | null = null;
  /** The rate levels' verdict being corrected (resilient counters correct the side that admitted it). */
  admitted: LimitVerdict | undefined = undefined;
  reservation: Reservation | null = null;
  private closed = false;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly budgets: EnforcerBudgets,
    private readonly rate: LimitCheck[],
    readonly nowMs: number | undefined,
    readonly hasTpm: boolean,
    /** The tokens charged to TPM at admission (0 when nothing needed the count). */
    readonly charged: number,
    private readonly count: TokenCount,
  ) {}

  get estimatedTokens(): number {
    return this.count.total();
  }

  /** Gives back the token charge of the rate levels (nothing to give without a TPM level). */
  refundTokens(): MaybeAsync<void> | null {
    return this.hasTpm ? this.limiter.adjustTokens(this.rate, -this.charged, this.nowMs, this.admitted) : null;
  }

  settle(actualUsage: NormalizedUsage, actualCostMicros: number): Promise<void> | null {
    if (this.closed) return null;
    this.closed = true;
    // Nothing to correct or give back (no TPM level, no budget): no counter is touched.
    if (!this.hasTpm && !this.reservation) return null;
    const delta = actualUsage.inputTokens + actualUsage.outputTokens - this.charged;
    return both(
      // Token buckets exist only for TPM levels; adjusting an RPM-only plan would be a no-op round trip.
      this.hasTpm && delta !== 0 ? this.limiter.adjustTokens(this.rate, delta, this.nowMs, this.admitted) : null,
      this.reservation ? this.budgets.settle(this.reservation, actualCostMicros) : null,
    );
  }

  release(): Promise<void> | null {
    if (this.closed) return null;
    this.closed = true;
    if (!this.hasTpm && !this.reservation) return null;
    return both(this.refundTokens(), this.reservation ? this.budgets.release(this.reservation) : null);
  }
}

/** Creates the limits step over a limiter and a ledger (Redis, in-process or resilient). */
export function createLimitEnforcer(deps: LimitEnforcerDeps): LimitEnforcer {
  const { limiter, budgets } = deps;
  const estimate = deps.estimate ?? estimatePromptTokens;

  /** Releases a reservation once it is made, in the background (one that fails expires with its TTL). */
  function giveBack(reserving: MaybeAsync<ReserveResult> | null): void {
    if (reserving === null) return;
    void Promise.resolve(reserving).then((reserved) => (reserved.ok ? budgets.release(reserved.reservation) : undefined)).catch(() => {});
  }

  function admit(input: AdmitInput): MaybeAsync<AdmitResult> {
    try {
      return ask(input);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Steps 0 to 2 up to the questions; read at once when both answered at once, else once they did. */
  function ask(input: AdmitInput): MaybeAsync<AdmitResult> {
    const { snapshot, request, deployment } = input;
    const plan = planLimits(snapshot, input.key, input.tenantId, input.featureId, input.now ?? input.receivedAt ?? new Date());
    const chat = "messages" in request ? request : null;
    // Token counts matter only to a TPM level or a budget. Without either, the prompt is not tokenized
    // on the request path; the count stays available, computed on first read, for whoever asks the ticket.
    const hasTpm = limitsTokens(plan.rate);
    const count = new TokenCount(request, deployment?.model, estimate);
    const estimatedTokens = hasTpm || plan.budget.length > 0 ? count.total() : 0;
    const ticket = new Ticket(limiter, budgets, plan.rate, input.now?.getTime(), hasTpm, estimatedTokens, count);

    const price = deployment && plan.budget.length > 0 ? snapshot.pricing[priceKey(deployment.provider, deployment.model)] : undefined;
    // Capped so that an extreme price times an extreme count is a budget refusal, not arithmetic past 2^53.
    // Rounded up, and at least 1 µ$ for a priced model: a budget whose spend reached its cap refuses
    // every request that can cost anything (spent + 0 ≤ cap would admit one that then settles at 1).
    const micros = price ? reservationMicros(count.promptTokens(), count.outputTokens(), price) : 0;
    // Step 0: a budget no period of which can hold this request (the smallest such cap). Caps are never
    // negative (snapshot schema), so a request that costs nothing (no budget, an unpriced model) fits
    // every one: no search.
    let tooDear: BudgetCheck | null = null;
    if (micros > 0) for (const level of plan.budget) if (micros > level.capMicros && (!tooDear || level.capMicros < tooDear.capMicros)) tooDear = level;
    const operation = chat ? "chat" : "embeddings";
    const neverFits = tooDear ? budgetRefusal({ ok: false, ...tooDear, spentMicros: 0, reservedMicros: 0 }, micros, operation) : null;
    // A level that admits no request at all comes first: the limiter names it (it never admits a zero
    // level, and refusing charges nothing), so a request that never fits goes no further than the limiter.
    if (neverFits && !admitsNothing(plan.rate)) return { ok: false, error: neverFits, headers: {} };
    // Only where the count mattered (a TPM level or a budget) is the answer held to it.
    if (chat && (hasTpm || plan.budget.length > 0) && !outputCapOf(chat)) ticket.outputCap = DEFAULT_MAX_OUTPUT_TOKENS;
    // Both questions go out together: with shared counters, one round trip to Redis instead of two
    // before the vendor call. The answers are then read in the order above.
    const asked = plan.rate.length > 0 ? limiter.acquire(plan.rate, estimatedTokens, ticket.nowMs) : null;
    const reserving = plan.budget.length > 0 && !neverFits ? budgets.reserve(plan.budget, micros, { failOpen: plan.failOpen, ttlMs: input.mayRunMs === undefined ? undefined : input.mayRunMs + RESERVATION_MARGIN_MS }) : null;
    const question: Question = { ticket, plan, micros, operation };
    if (!isThenable(asked) && !isThenable(reserving)) return readAnswers(question, asked, reserving);
    return awaitAnswers(question, asked, reserving);
  }

  /**
   * The answers of a counter that must be waited for (Redis, a lease being asked for), read as at
   * once: the rate verdict first (a refusal does not wait for the budget's answer), then the budget's.
   */
  async function awaitAnswers(question: Question, asked: MaybeAsync<LimitVerdict> | null, reserving: MaybeAsync<ReserveResult> | null): Promise<AdmitResult> {
    // A ledger failure is read below; until then it must not count as an unhandled rejection.
    if (isThenable(reserving)) reserving.catch(() => {});
    let verdict: LimitVerdict | null;
    try {
      // No rate level: nothing to wait for (an `await null` would still cost a promise job).
      verdict = isThenable(asked) ? await asked : asked;
    } catch (error) {
      giveBack(reserving);
      throw error;
    }
    const refused = rateRefused(question, verdict, reserving);
    if (refused) return refused;
    let reserved: ReserveResult | null;
    try {
      reserved = isThenable(reserving) ? await reserving : reserving;
    } catch (error) {
      await question.ticket.refundTokens();
      throw error;
    }
    return budgetRead(question, verdict, reserved);
  }

  /** Both answers in hand at once (in-process counters): read in the same order, with no promise. */
  function readAnswers(question: Question, verdict: LimitVerdict | null, reserved: ReserveResult | null): MaybeAsync<AdmitResult> {
    return rateRefused(question, verdict, reserved) ?? budgetRead(question, verdict, reserved);
  }

  /** Step 1's answer: a refusal (the reservation made alongside goes back once it is made), else null. */
  function rateRefused({ ticket, plan, operation }: Question, verdict: LimitVerdict | null, reserving: MaybeAsync<ReserveResult> | null): AdmitResult | null {
    ticket.headers = verdict ? ratelimitHeaders(verdict) : {};
    if (!verdict) return null;
    if (verdict.allowed) {
      ticket.admitted = verdict;
      return null;
    }
    giveBack(reserving);
    // A precounted request is embeddings' (the only route without chat messages): its refusal names the input.
    return { ok: false, error: rateRefusal(verdict, plan, ticket.charged, operation), headers: ticket.headers };
  }

  /**
   * Step 2's answer, the rate levels having admitted: a budget refusal refunds the token charge first
   * (every correction names the verdict, so the resilient counters correct the side that admitted it).
   */
  function budgetRead({ ticket, micros, operation }: Question, verdict: LimitVerdict | null, reserved: ReserveResult | null): MaybeAsync<AdmitResult> {
    if (reserved && !reserved.ok) {
      const headers = verdict?.tokens && ticket.hasTpm ? ratelimitHeaders({ ...verdict, tokens: withTokensRefunded(verdict.tokens, ticket.charged) }) : ticket.headers;
      const refusal: AdmitResult = { ok: false, error: budgetRefusal(reserved, micros, operation), headers };
      const refunding = ticket.refundTokens();
      return isThenable(refunding) ? refunding.then(() => refusal) : refusal;
    }
    if (reserved) {
      ticket.reservation = reserved.reservation;
      ticket.reservedMicros = micros;
    }
    return { ok: true, ticket, headers: ticket.headers };
  }

  return { admit, degraded: deps.degraded };
}

/** One request's questions to the counters, as their answers are read. */
interface Question {
  ticket: Ticket;
  plan: LimitPlan;
  micros: number;
  operation: "chat" | "embeddings";
}
