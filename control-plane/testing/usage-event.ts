/**
 * A valid usage event for the seeded config (seed.ts): the EU deployment answered the `chat` alias
 * for the seeded tenant and key, 1,000 tokens in and 500 out for 450 micro-USD; `over` replaces any
 * field (any value, so a test can also build what the wire must refuse).
 *
 * @example ingest([usageEventFor(s, "evt_1", { costMicros: 9 })])
 */
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { Seeded } from "./seed.ts";

export function usageEventFor(s: Seeded, id: string, over: Record<string, unknown> = {}): UsageEvent {
  return {
    eventId: id,
    time: "2026-03-01T10:00:00.000Z",
    requestId: `req_${id}`,
    region: "eu",
    snapshotVersion: 3,
    tenantId: s.tenantId,
    keyId: s.keyId,
    featureId: null,
    alias: "chat",
    endpoint: "chat.completions",
    provider: "openai",
    deploymentId: s.euDeploymentId,
    vendorModel: "gpt-4o-mini",
    stream: false,
    usage: { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    costMicros: 450,
    latencyMs: 120,
    status: "ok",
    errorCode: null,
    attempts: 1,
    ...over,
  } as UsageEvent;
}
