/**
 * A kill switch pulled again on what is already off changes no value, so value-based staleness
 * (markStaleRequests) leaves alone a pending undo of the earlier kill, written and reviewed before this
 * one: approving it would turn back on at once what an admin just killed for a new incident. So a kill
 * switch marks stale every open request (rollbacks included) whose writes would turn one of its targets
 * back on: a tenant's status cleared, a deployment written `active`.
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
}

/** The killed targets `writes` would turn back on, as "tenant ten_…" / "deployment dep_…". Pure. */
export function reenabledBy(writes: readonly EntityWrite[], killed: KilledTargets): string[] {
  const out: string[] = [];
  for (const w of writes) {
    if (w.entity === "tenantStatus" && killed.tenants.includes(w.id) && w.value?.status !== "disabled") out.push(`tenant ${w.id}`);
    if (w.entity === "deployment" && killed.deployments.includes(w.id) && w.value?.status === "active") out.push(`deployment ${w.id}`);
  }
  return out;
}

/** In the kill switch's transaction (it holds the config lock): each such request goes stale, audited as `change.stale`. */
export async function markReenablingStale(tx: Tx, killed: KilledTargets, who: AuditActor, killedBy: string): Promise<void> {
  if (killed.tenants.length === 0 && killed.deployments.length === 0) return;
  const open = await tx<{ id: string; writes: EntityWrite[] }[]>`
    select id, writes from change_requests where status in ('pending', 'approved', 'scheduled') order by id for update`;
  for (const r of open) {
    const back = reenabledBy(r.writes, killed);
    if (back.length > 0) await markRequestStale(tx, r.id, `it would re-enable ${back.join(", ")}, disabled since by a ${killedBy}`, who);
  }
}
