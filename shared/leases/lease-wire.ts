/**
 * POST /internal/v1/leases: how a region proxy asks the control plane for its share of global budgets.
 *
 * A budget (scope + period, e.g. `ten:ten_x` + `day:2026-11-25`) is global; the control plane grants
 * each region a cumulative allowance (`grantedMicros`) for it and keeps Σ over regions of
 * max(granted, spent) ≤ cap. The region enforces `spent + reserved ≤ grantedMicros` in its own Redis,
 * so no request ever waits on the control plane except while a lease must grow (see region-proxy/leases/).
 *
 * request  (Authorization: Bearer <region token>, X-Proxy-Id):
 *   { leases: [{ scope, period, timeZone?, spentMicros, needMicros? }] }
 *     period: the calendar label, `day:YYYY-MM-DD` or `month:YYYY-MM`
 *     timeZone: the IANA zone the proxy counts the label in (zoned-period.ts); absent from proxies that
 *       predate it, whose labels are read in the org's zone. Apart from `period` so that a control plane
 *       that predates it still reads the ask (it ignores the field).
 *     spentMicros: the region's own spend counter for that level (its Redis, unshipped usage included)
 *     needMicros: the largest reservation currently waiting for the lease to grow (0 if none)
 * 200: { grants: LeaseGrant[] } one per requested level, same order
 * 400: malformed body; 401: bad region token
 */
import { isTimeZone } from "../snapshot/time-zone.ts";
import { isPlainText } from "../text/storable-text.ts";
import { parseIsoTime } from "../time/parse-iso-time.ts";

export const LEASES_PATH = "/internal/v1/leases";
/** At most this many levels per request. */
export const MAX_LEASE_LEVELS = 500;

export interface LeaseAsk {
  scope: string;
  /** The calendar label, without its zone. */
  period: string;
  /** The zone the proxy counts `period` in (shared/leases/zoned-period.ts); absent: the org's. */
  timeZone?: string;
  spentMicros: number;
  needMicros?: number;
}

export interface LeaseRequest {
  leases: LeaseAsk[];
}

export type LeaseGrant =
  | {
      scope: string;
      period: string;
      /** The control plane caps this budget; the region must stay within grantedMicros. */
      managed: true;
      /** The global cap the control plane holds for this level. */
      capMicros: number;
      /** Cumulative allowance of this region for the period; never shrinks while the lease is live. */
      grantedMicros: number;
      /**
       * ISO time on the control plane's clock; past it the region may not reserve beyond what it has
       * spent until renewed. For proxies that predate `ttlMs` (they judge it on their own clock, so a
       * skew between the two clocks shortens or stretches the lease) and answers without `ttlMs`.
       */
      expiresAt: string;
      /**
       * The lease's life in ms from when the control plane stamped it (after the ask arrived): the proxy
       * times it on its own clock from when it SENT the ask, so the round trip counts against the lease
       * and the proxy never uses it past the control plane's expiresAt, whatever either clock says.
       * Absent from control planes older than this field. At most MAX_LEASE_TTL_MS.
       */
      ttlMs?: number;
      /** True when the lease cannot grow further (the global budget is fully spent or leased out). */
      exhausted: boolean;
      /** This region's spend for the level in the PostgreSQL ledger, and its version (ledger rows counted). */
      ledgerSpentMicros: number;
      ledgerVersion: number;
    }
  | {
      scope: string;
      period: string;
      /** The control plane holds no global cap for this level (e.g. a key budget): enforce the snapshot's cap locally. */
      managed: false;
    };

export interface LeaseAnswer {
  grants: LeaseGrant[];
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** Longest lease life an answer may state (a lease lives a minute; a day is past any sane policy). */
export const MAX_LEASE_TTL_MS = 86_400_000;

/** Longest zone name accepted (the tz database's longest is 32). */
export const MAX_TIME_ZONE_CHARS = 64;

/** Longest scope accepted (`feature:<tenant id>:<feature id>` is the longest the proxy builds). */
export const MAX_SCOPE_CHARS = 200;
/** Years a budget period may name; the last day of MAX_PERIOD_YEAR still ends in a four-digit year. */
export const MIN_PERIOD_YEAR = 2000;
export const MAX_PERIOD_YEAR = 9998;

/** A budget period: `day:YYYY-MM-DD` or `month:YYYY-MM` (day is 1 for a month). */
export interface BudgetPeriod {
  kind: "day" | "month";
  year: number;
  /** 1..12 */
  month: number;
  day: number;
}

/** Whether `scope` is a scope this endpoint can look up and store: 1..200 characters, well-formed, no control character. */
export function isLeaseScope(scope: unknown): scope is string {
  return typeof scope === "string" && scope.length > 0 && scope.length <= MAX_SCOPE_CHARS && isPlainText(scope);
}

/**
 * The period a `day:YYYY-MM-DD` or `month:YYYY-MM` key names, or null when it is not one, names no
 * real calendar date (`day:2024-02-30`, `month:2024-13`) or lies outside MIN_PERIOD_YEAR..MAX_PERIOD_YEAR.
 * The one place both the lease endpoint and the budget lookup read periods.
 */
export function parseBudgetPeriod(period: unknown): BudgetPeriod | null {
  if (typeof period !== "string") return null;
  const m = /^(?:day:(\d{4})-(\d{2})-(\d{2})|month:(\d{4})-(\d{2}))$/.exec(period);
  if (!m) return null;
  const kind = m[1] !== undefined ? "day" : "month";
  const year = Number(m[1] ?? m[4]);
  const month = Number(m[2] ?? m[5]);
  const day = kind === "day" ? Number(m[3]) : 1;
  if (year < MIN_PERIOD_YEAR || year > MAX_PERIOD_YEAR || month < 1 || month > 12 || day < 1) return null;
  // Day 0 of the next month is the last day of this one.
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  return { kind, year, month, day };
}

/** Parses a lease request body; returns a message naming the first bad field instead of throwing. */
export function parseLeaseRequest(body: unknown): LeaseRequest | string {
  if (typeof body !== "object" || body === null || !Array.isArray((body as { leases?: unknown }).leases)) return "body must be an object with a leases array";
  const leases = (body as { leases: unknown[] }).leases;
  if (leases.length > MAX_LEASE_LEVELS) return `at most ${MAX_LEASE_LEVELS} levels per request`;
  const out: LeaseAsk[] = [];
  for (const [i, raw] of leases.entries()) {
    const ask = raw as Partial<LeaseAsk> | null;
    if (typeof ask !== "object" || ask === null) return `leases[${i}] must be an object`;
    if (!isLeaseScope(ask.scope)) return `leases[${i}].scope must be 1-${MAX_SCOPE_CHARS} characters of well-formed text without control characters`;
    if (!parseBudgetPeriod(ask.period)) {
      return `leases[${i}].period must be day:YYYY-MM-DD or month:YYYY-MM naming a real date in ${MIN_PERIOD_YEAR}..${MAX_PERIOD_YEAR}`;
    }
    if (ask.timeZone !== undefined && !(typeof ask.timeZone === "string" && ask.timeZone.length <= MAX_TIME_ZONE_CHARS && !ask.timeZone.includes("@") && isTimeZone(ask.timeZone))) {
      return `leases[${i}].timeZone must be an IANA time zone`;
    }
    if (!isCount(ask.spentMicros)) return `leases[${i}].spentMicros must be a non-negative integer`;
    if (ask.needMicros !== undefined && !isCount(ask.needMicros)) return `leases[${i}].needMicros must be a non-negative integer`;
    out.push({ scope: ask.scope, period: ask.period as string, ...(ask.timeZone === undefined ? {} : { timeZone: ask.timeZone }), spentMicros: ask.spentMicros, needMicros: ask.needMicros ?? 0 });
  }
  return { leases: out };
}

/**
 * Parses the control plane's lease answer (the proxy's side); returns a message naming the first bad
 * field instead of throwing. Every figure must be a safe non-negative integer, `ttlMs` (when present) one
 * of at most MAX_LEASE_TTL_MS, and `expiresAt` a strict ISO time: a grant the proxy would compute NaN,
 * inexact room or an endless life from is no grant at all.
 *
 * @example const answer = parseLeaseAnswer(await response.json()); if (typeof answer === "string") log(answer);
 */
export function parseLeaseAnswer(body: unknown): LeaseAnswer | string {
  if (typeof body !== "object" || body === null || !Array.isArray((body as { grants?: unknown }).grants)) return "the answer must be an object with a grants array";
  const grants = (body as { grants: unknown[] }).grants;
  for (const [i, raw] of grants.entries()) {
    const grant = raw as Record<string, unknown> | null;
    if (typeof grant !== "object" || grant === null) return `grants[${i}] must be an object`;
    if (typeof grant.scope !== "string" || typeof grant.period !== "string") return `grants[${i}] must name its scope and period`;
    if (grant.managed === false) continue;
    if (grant.managed !== true) return `grants[${i}].managed must be true or false`;
    for (const field of ["capMicros", "grantedMicros", "ledgerSpentMicros", "ledgerVersion"] as const) {
      if (!isCount(grant[field])) return `grants[${i}].${field} must be a non-negative safe integer`;
    }
    if (typeof grant.expiresAt !== "string" || parseIsoTime(grant.expiresAt) === null) return `grants[${i}].expiresAt must be an ISO 8601 time`;
    if (grant.ttlMs !== undefined && !(isCount(grant.ttlMs) && grant.ttlMs <= MAX_LEASE_TTL_MS)) return `grants[${i}].ttlMs must be an integer from 0 to ${MAX_LEASE_TTL_MS}`;
    if (typeof grant.exhausted !== "boolean") return `grants[${i}].exhausted must be true or false`;
  }
  return body as LeaseAnswer;
}
