/**
 * Settling for every routed endpoint: runs after the answer is out, counted as in-flight so a graceful
 * stop waits for it (the usage event carries the attempt trail and the fallback flag).
 */
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { UsageStatus } from "../../shared/usage/usage-event.ts";
import type { ProxyDeps } from "../deps.ts";
import type { RequestContext } from "../pipeline/build-context.ts";
import type { LimitsTicket } from "../pipeline/limits.ts";
import { settle } from "../pipeline/settle.ts";
import type { Trail } from "../providers/walk-chain.ts";

export type Settler = (trail: Trail, usage: NormalizedUsage | null, status: UsageStatus, code: string | null) => void;

export function makeSettler(
  deps: ProxyDeps,
  request: { context: RequestContext; snapshot: Snapshot; alias: string; endpoint: string; stream: boolean; ticket: LimitsTicket },
): Settler {
  return (trail, usage, status, code) => {
    const end = deps.inFlight.begin();
    void settle({ ...request, region: deps.region, trail, usage, status, errorCode: code }, deps.appendUsage, deps.log).finally(end);
  };
}
