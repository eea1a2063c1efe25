/**
 * A kill switch pulled again on what is already off changes no value, so value-based staleness
 * (markStaleRequests) leaves alone a pending undo of the earlier kill, written and reviewed before this
 * one: approving it would turn back on at once what an admin just killed for a new incident. So a kill
 * switch marks stale every open request (rollbacks included) whose writes would turn one of its targets
 * back on: a tenant's status cleared, a deployment written `active`; for a provider also a deployment
 * it does not have yet, or one of another provider, written `active` with that provider (a pending
 * deployment.create, or an update switching a deployment to it), which would send traffic to the
 * killed provider again once approved.
 *
 * @example await markReenablingStale(tx, { tenants: [], deployments: ["dep_x"] }, who, "kill switch on deployment dep_x")
 */
import type { AuditActor } from "../audit/audit-actor.ts";
import type { Tx } from "../db/client.ts";
import { markRequestStale } from "./change-request.repo.ts";
import type { EntityWrite } from "./policy-state.ts";

export interface KilledTargets {
  tenants: readonly string[];
  deployments: readonly string[];
  /** A provider kill's provider: no deployment may be written active with it. */
  providers?: readonly string[];
}

/** The killed targets `writes` would turn back on, as "tenant ten_…" / "deployment dep_…" / "provider openai (deployment dep_…)". Pure. */
export function reenabledBy(writes: readonly EntityWrite[], killed: KilledTargets): string[] {
  const out: string[] = [];
  for (const w of writes) {
    if (w.entity === "tenantStatus" && killed.tenants.includes(w.id) && w.value?.status !== "disabled") out.push(`tenant ${w.id}`);
    if (w.entity !== "deployment" || w.value?.status !== "active") continue;
    if (killed.deployments.includes(w.id)) out.push(`deployment ${w.id}`);
    else if (killed.providers?.includes(String(w.value.provider))) out.push(`provider ${String(w.value.provider)} (deployment ${w.id})`);
  }
  return out;
}

/** In the kill switch's transaction (it holds the config lock): each such request goes stale, audited as `change.stale`. */
export async function markReenablingStale(tx: Tx, killed: KilledTargets, who: AuditActor, killedBy: string): Promise<void> {
  if (killed.tenants.length === 0 && killed.deployments.length === 0 && !killed.providers?.length) return;
  const open = await tx<{ id: string; writes: EntityWrite[] }[]>`
    select id, writes from change_requests where status in ('pending', 'approved', 'scheduled') order by id for update`;
  for (const r of open) {
    const back = reenabledBy(r.writes, killed);
    if (back.length > 0) await markRequestStale(tx, r.id, `it would re-enable ${back.join(", ")}, disabled since by a ${killedBy}`, who);
  }
}
