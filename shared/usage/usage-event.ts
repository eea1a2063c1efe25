/**
 * One usage event per proxied request. The event id is the idempotency key: the control plane
 * stores an event once however often a proxy re-sends it. Prompts and completions are never part of it.
 */
import type { NormalizedUsage } from "../money/cost.ts";

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
  usage: NormalizedUsage;
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
  /** Events that failed validation: kept in a dead-letter table, acknowledged so they stop retrying. */
  rejected: { eventId: string | null; reason: string }[];
  ackedEventIds: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isStringOrNull = (v: unknown) => v === null || typeof v === "string";

/** Validates one event from the wire; returns the reason when it is not a usage event. */
export function parseUsageEvent(raw: unknown): { ok: true; event: UsageEvent } | { ok: false; reason: string } {
  if (!isRecord(raw)) return { ok: false, reason: "event is not an object" };
  const required = ["eventId", "time", "requestId", "region", "tenantId", "keyId", "alias", "endpoint"] as const;
  for (const field of required) {
    if (typeof raw[field] !== "string" || raw[field] === "") return { ok: false, reason: `${field} must be a non-empty string` };
  }
  if (Number.isNaN(Date.parse(raw.time as string))) return { ok: false, reason: "time is not an ISO timestamp" };
  for (const field of ["featureId", "provider", "deploymentId", "vendorModel", "errorCode"] as const) {
    if (!isStringOrNull(raw[field])) return { ok: false, reason: `${field} must be a string or null` };
  }
  for (const field of ["snapshotVersion", "costMicros", "latencyMs", "attempts"] as const) {
    if (!isCount(raw[field])) return { ok: false, reason: `${field} must be a non-negative integer` };
  }
  if (typeof raw.stream !== "boolean") return { ok: false, reason: "stream must be a boolean" };
  if (raw.status !== "ok" && raw.status !== "error" && raw.status !== "client_closed") return { ok: false, reason: "status is invalid" };
  const usage = raw.usage;
  if (!isRecord(usage)) return { ok: false, reason: "usage must be an object" };
  for (const field of ["inputTokens", "outputTokens", "cachedInputTokens", "cacheWriteTokens", "reasoningTokens"] as const) {
    if (!isCount(usage[field])) return { ok: false, reason: `usage.${field} must be a non-negative integer` };
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
  for (const field of ["deploymentId", "provider", "vendorModel"] as const) if (typeof step[field] !== "string") return `${field} must be a string`;
  if (step.outcome !== "ok" && step.outcome !== "error" && step.outcome !== "skipped") return "outcome is invalid";
  if (!isStringOrNull(step.reason)) return "reason must be a string or null";
  if (!isCount(step.latencyMs)) return "latencyMs must be a non-negative integer";
  return null;
}
