/**
 * Step 4, limits: the seam where RPM/TPM and budget reservations plug in (region-proxy/counters/
 * builds the real one). A decision either refuses with a GatewayError or hands back a ticket the
 * settle step closes with the real usage and cost.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";

export interface LimitsRequest {
  tenantId: string;
  keyId: string;
  alias: string;
  /** A cheap estimate (characters / 4) for TPM and budget reservations. */
  estimatedInputTokens: number;
  maxOutputTokens: number | null;
}

export interface LimitsTicket {
  /** Headers for the answer (`x-ratelimit-*`), if any. */
  headers: Record<string, string>;
  settle(actual: { usage: NormalizedUsage; costMicros: number }): Promise<void>;
}

export type LimitsDecision = { ok: true; ticket: LimitsTicket } | { ok: false; error: GatewayError; headers?: Record<string, string> };

export interface Limits {
  acquire(request: LimitsRequest, snapshot: Snapshot): Promise<LimitsDecision>;
}

/** Allows everything; what a proxy runs until real counters are wired in. */
export const allowAllLimits: Limits = {
  acquire: async () => ({ ok: true, ticket: { headers: {}, settle: async () => {} } }),
};

/** Characters of every message's text / 4: the same rough rule vendors document for English. */
export function estimateInputTokens(messages: { content: unknown }[]): number {
  let chars = 0;
  for (const m of messages) {
    if (typeof m.content === "string") chars += m.content.length;
    else if (Array.isArray(m.content)) for (const p of m.content) if (p && typeof p.text === "string") chars += p.text.length;
  }
  return Math.ceil(chars / 4);
}
