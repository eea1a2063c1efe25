/** What the ledger's attempt_trail column keeps of an event's attempt trail (migration 0106). */
import type { AttemptTrailEntry } from "../../shared/usage/usage-event.ts";

/**
 * The most steps stored per event. A proxy's trail is bounded by its walk (region-proxy/providers/walk-chain.ts):
 * at most three skipped steps per planned deployment (not called, a retry skipped, an owed retry skipped;
 * an alias names at most 16, aliases/alias.service.ts MAX_CHAIN) and one per vendor call (the attempt
 * budget: 4 in all), so fewer than 52. A longer trail is a bug or a forgery: its first
 * steps are kept, and the event is still booked.
 */
export const MAX_STORED_TRAIL_STEPS = 64;

/**
 * The trail as stored: each step's known fields only (parseUsageEvent checked them; anything else sent
 * with a step is dropped), in order, at most MAX_STORED_TRAIL_STEPS of them; null when the event carried none.
 *
 * @example storedAttemptTrail([{ deploymentId: "dep_a", provider: "openai", vendorModel: "gpt-4o", outcome: "error", reason: "status_503", latencyMs: 40 }])
 */
export function storedAttemptTrail(trail: AttemptTrailEntry[] | undefined): AttemptTrailEntry[] | null {
  if (trail === undefined) return null;
  return trail.slice(0, MAX_STORED_TRAIL_STEPS).map(({ deploymentId, provider, vendorModel, outcome, reason, latencyMs }) => ({
    deploymentId,
    provider,
    vendorModel,
    outcome,
    reason,
    latencyMs,
  }));
}
