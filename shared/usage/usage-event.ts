/**
 * One usage event per proxied request. The event id is the idempotency key: the control plane
 * stores an event once however often a proxy re-sends it. Prompts and completions are never part of it.
 */
import type { NormalizedUsage } from "../money/cost.ts";
import { isStorableText } from "../text/storable-text.ts";
import { parseIsoTime } from "../time/parse-iso-time.ts";
import { isFeatureId } from "./feature-id.ts";
import { isRecord } from "../is-record.ts";

export type UsageStatus = "ok" | "error" | "client_closed";

export interface UsageEvent {
  eventId: string;
  /** ISO time the request arrived at the proxy. */
  time: string;
  requestId: string;
  region: string;
  snapshotVersion: number;
  tenantId: string;
  keyId: string;
  /** From `X-Feature-Id`, validated at the edge; null when absent. */
  featureId: string | null;
  /** The logical model the caller asked for. */
  alias: string;
  /** `chat.completions`, `embeddings`, ... */
  endpoint: string;
  provider: string | null;
  deploymentId: string | null;
  /** The vendor model that answered (or was last tried). */
  vendorModel: string | null;
  stream: boolean;
  /**
   * The tokens of every vendor call the request was charged, summed class by class: the answer (or the
   * last call, when the vendor got the prompt and never answered), plus each 2xx answer the gateway
   * refused on the way (a retry or fallback followed it), which its vendor billed all the same. So on a
   * retried or fallen-back request it can exceed what the answering deployment alone used.
   */
  usage: NormalizedUsage;
  /** The sum of what each of those calls cost at its own deployment's price (region-proxy/pipeline/settle.ts). */
  costMicros: number;
  latencyMs: number;
  status: UsageStatus;
  /** The OpenAI-style error code when status is not `ok`. */
  errorCode: string | null;
  attempts: number;
  /** Every vendor call (and skipped deployment) in order, with why it ended; absent in older events. */
  attemptTrail?: AttemptTrailEntry[];
  /** True when the answer did not come from the alias's first deployment; absent in older events. */
  fallback?: boolean;
}

/** One step of a request's walk along its alias chain. Never carries a vendor message or credential. */
export interface AttemptTrailEntry {
  deploymentId: string;
  provider: string;
  vendorModel: string;
  /** `ok`, `error` (the call failed), `skipped` (not called: circuit open, retry-after too long...). */
  outcome: "ok" | "error" | "skipped";
  /** `status_503`, `timeout`, `context_length`, `circuit_open`, ... (null on success). */
  reason: string | null;
  latencyMs: number;
}

export interface UsageBatch {
  events: UsageEvent[];
}

/** What the control plane answers to a batch; every listed id may leave the proxy's outbox. */
export interface UsageBatchAck {
  accepted: number;
  duplicates: number;
  /**
   * Events that failed validation: kept in a dead-letter table, acknowledged so they stop retrying.
   * `eventId` is null when the event had no usable id (none, empty, longer than MAX_EVENT_ID_CHARS);
   * an event sent with a string id is acknowledged by exactly that string all the same.
   */
  rejected: { eventId: string | null; reason: string }[];
  ackedEventIds: string[];
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * What the ledger's columns hold (control-plane/db/migrations/0001_init.sql): `integer` columns take
 * at most 2^31 - 1, `bigint` ones any safe integer. An event outside them is refused here, so it is
 * dead-lettered instead of failing the insert of its whole batch.
 */
export const MAX_INT4 = 2 ** 31 - 1;
/** Ids are primary and index keys (event, tenant, key): bounded well below a btree entry's limit. */
export const MAX_EVENT_ID_CHARS = 200;
/** Event times the ledger takes: from 2000 to 9999 (UTC); anything else is a clock or a forgery. */
export const MIN_EVENT_YEAR = 2000;
export const MAX_EVENT_YEAR = 9999;
/**
 * The most one event may cost: 10^14 micro-USD ($100 million). The proxy bills at most 10M tokens per
 * token class (MAX_REQUEST_TOKENS) and the control plane takes prices up to $1M per 1M tokens, so no
 * request it prices can cost more than 2·10^13 (10M in and 10M out at $1 a token); a dearer event is a
 * bug or a forgery, and at 2^53 one event alone would push a day's spend past exact integer arithmetic.
 */
export const MAX_EVENT_COST_MICROS = 100_000_000_000_000;
/**
 * The most tokens one event may count in each class: 10^10, a thousand times what the proxy bills a
 * request at most (MAX_REQUEST_TOKENS, 10M). One event near 2^53 would otherwise put a tenant's token
 * totals past exact integers at once; the spend query also stops its sums at 2^53 - 1.
 */
export const MAX_EVENT_TOKENS = 10_000_000_000;
/** A real event nests three levels (event, attemptTrail, step); deeper is refused before anything walks it. */
export const MAX_EVENT_DEPTH = 16;

/** The instant of a strict ISO 8601 time between MIN_EVENT_YEAR and MAX_EVENT_YEAR (parseIsoTime); else null. */
export function parseEventTime(value: string): Date | null {
  const instant = parseIsoTime(value);
  if (!instant) return null;
  const utcYear = instant.getUTCFullYear();
  return utcYear >= MIN_EVENT_YEAR && utcYear <= MAX_EVENT_YEAR ? instant : null;
}

/** Whether `node` nests deeper than `max` levels (`node` itself is level 1); stops at the bound, so it never recurses deeper than `max`. */
export function nestsDeeperThan(node: unknown, max: number, depth = 1): boolean {
  if (typeof node !== "object" || node === null) return false;
  if (depth > max) return true;
  if (Array.isArray(node)) {
    for (const child of node) if (typeof child === "object" && child !== null && nestsDeeperThan(child, max, depth + 1)) return true;
    return false;
  }
  for (const key in node) {
    const child = (node as Record<string, unknown>)[key];
    if (typeof child === "object" && child !== null && nestsDeeperThan(child, max, depth + 1)) return true;
  }
  return false;
}

/** The reason a string field is not storable, else null. */
function badString(field: string, value: string, maxChars = Infinity): string | null {
  if (!isStorableText(value)) return `${field} holds a NUL or a lone surrogate`;
  if (value.length > maxChars) return `${field} is longer than ${maxChars} characters`;
  return null;
}

/** Validates one event from the wire; returns the reason when it is not a usage event the ledger can store. */
export function parseUsageEvent(raw: unknown): { ok: true; event: UsageEvent } | { ok: false; reason: string } {
  if (!isRecord(raw)) return { ok: false, reason: "event is not an object" };
  if (nestsDeeperThan(raw, MAX_EVENT_DEPTH)) return { ok: false, reason: `event nests deeper than ${MAX_EVENT_DEPTH} levels` };
  const required = ["eventId", "time", "requestId", "region", "tenantId", "keyId", "alias", "endpoint"] as const;
  const ids = new Set<string>(["eventId", "requestId", "region", "tenantId", "keyId"]);
  for (const field of required) {
    const value = raw[field];
    if (typeof value !== "string" || value === "") return { ok: false, reason: `${field} must be a non-empty string` };
    const bad = badString(field, value, ids.has(field) ? MAX_EVENT_ID_CHARS : Infinity);
    if (bad) return { ok: false, reason: bad };
  }
  if (!parseEventTime(raw.time as string)) {
    return { ok: false, reason: `time must be an ISO 8601 timestamp of a real date between ${MIN_EVENT_YEAR} and ${MAX_EVENT_YEAR}` };
  }
  for (const field of ["featureId", "provider", "deploymentId", "vendorModel", "errorCode"] as const) {
    const value = raw[field];
    if (value !== null && typeof value !== "string") return { ok: false, reason: `${field} must be a string or null` };
    const bad = value === null ? null : badString(field, value);
    if (bad) return { ok: false, reason: bad };
  }
  if (raw.featureId !== null && !isFeatureId(raw.featureId as string)) return { ok: false, reason: "featureId must be 1-64 characters of A-Z a-z 0-9 . _ : -" };
  if (!isCount(raw.costMicros) || raw.costMicros > MAX_EVENT_COST_MICROS) {
    return { ok: false, reason: `costMicros must be an integer from 0 to ${MAX_EVENT_COST_MICROS}` };
  }
  if (!isCount(raw.latencyMs)) return { ok: false, reason: "latencyMs must be a non-negative integer" };
  for (const field of ["snapshotVersion", "attempts"] as const) {
    if (!isCount(raw[field]) || (raw[field] as number) > MAX_INT4) return { ok: false, reason: `${field} must be an integer from 0 to ${MAX_INT4}` };
  }
  if (typeof raw.stream !== "boolean") return { ok: false, reason: "stream must be a boolean" };
  if (raw.status !== "ok" && raw.status !== "error" && raw.status !== "client_closed") return { ok: false, reason: "status is invalid" };
  const usage = raw.usage;
  if (!isRecord(usage)) return { ok: false, reason: "usage must be an object" };
  for (const field of ["inputTokens", "outputTokens", "cachedInputTokens", "cacheWriteTokens", "reasoningTokens"] as const) {
    if (!isCount(usage[field]) || (usage[field] as number) > MAX_EVENT_TOKENS) return { ok: false, reason: `usage.${field} must be an integer from 0 to ${MAX_EVENT_TOKENS}` };
  }
  if (raw.fallback !== undefined && typeof raw.fallback !== "boolean") return { ok: false, reason: "fallback must be a boolean" };
  if (raw.attemptTrail !== undefined) {
    if (!Array.isArray(raw.attemptTrail)) return { ok: false, reason: "attemptTrail must be an array" };
    for (const [i, step] of raw.attemptTrail.entries()) {
      const bad = checkTrailEntry(step);
      if (bad) return { ok: false, reason: `attemptTrail[${i}]: ${bad}` };
    }
  }
  return { ok: true, event: raw as unknown as UsageEvent };
}

function checkTrailEntry(step: unknown): string | null {
  if (!isRecord(step)) return "not an object";
  for (const field of ["deploymentId", "provider", "vendorModel"] as const) {
    const value = step[field];
    if (typeof value !== "string") return `${field} must be a string`;
    const bad = badString(field, value);
    if (bad) return bad;
  }
  if (step.outcome !== "ok" && step.outcome !== "error" && step.outcome !== "skipped") return "outcome is invalid";
  if (step.reason !== null && typeof step.reason !== "string") return "reason must be a string or null";
  if (typeof step.reason === "string") {
    const bad = badString("reason", step.reason);
    if (bad) return bad;
  }
  if (!isCount(step.latencyMs)) return "latencyMs must be a non-negative integer";
  return null;
}
