/**
 * Step 4, limits: the seam where RPM/TPM and budget reservations plug in. It has exactly the shape of
 * limits/'s LimitEnforcer (admit → ticket → settle or release), so the real enforcer is passed to
 * startProxy as is; until then every request is admitted.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { Snapshot, SnapshotDeployment, SnapshotKey } from "../../shared/snapshot/schema.ts";
import type { ChatRequest } from "../providers/types.ts";

export interface LimitsInput {
  snapshot: Snapshot;
  key: SnapshotKey;
  tenantId: string;
  featureId: string | null;
  /** A chat request (the enforcer estimates its tokens), or a precounted one (embeddings; its count may be asked for only when needed). */
  request: ChatRequest | { promptTokens: number | (() => number); maxOutputTokens: number };
  /** The first deployment of the planned route (its price sizes the budget reservation); null if none. */
  deployment: SnapshotDeployment | null;
  /** The longest the request may run (requestTotalMs of its planned route): its budget reservation holds that long. */
  mayRunMs?: number;
  /** When the request arrived: its budget period is the one its usage event is booked in. */
  receivedAt?: Date;
}

export interface LimitsTicket {
  /** `x-ratelimit-*` for the answer. */
  headers: Record<string, string>;
  /**
   * The call happened: correct the token charge and settle the reservation to the real cost. Null when
   * nothing is left running (no counter involved, or in-process counters corrected at once): nothing
   * for a graceful stop to wait for.
   */
  settle(actualUsage: NormalizedUsage, actualCostMicros: number): Promise<void> | null;
  /** The call failed without usage: refund at once (null when nothing was charged). */
  release(): Promise<void> | null;
}

export type LimitsDecision = { ok: true; ticket: LimitsTicket; headers: Record<string, string> } | { ok: false; error: GatewayError; headers: Record<string, string> };

export interface Limits {
  /** A value when decided at once (in-process counters: no promise on the request path), else a promise; a failure is a rejected promise. */
  admit(input: LimitsInput): LimitsDecision | Promise<LimitsDecision>;
  /** True while shared counters are unreachable (reported on /health). */
  degraded?(): boolean;
}

const nothingToClose = () => null;

/** Admits everything; what a proxy runs when no limits are wired in. */
export const allowAllLimits: Limits = {
  admit: async () => ({ ok: true, ticket: { headers: {}, settle: nothingToClose, release: nothingToClose }, headers: {} }),
};
