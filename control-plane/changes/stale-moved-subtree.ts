/**
 * A tenant.policy or tenant.status request was reviewed against the tenant's ancestors as they were.
 * After a moveTenant the same writes mean something else: dropping a pin (rpm: null) that changed
 * nothing under the old parent (it held the same limit) lifts the tenant to the new parent's wider
 * limit, a widening nobody reviewed; value-based staleness (markStaleRequests) sees no target change
 * and tenantPolicyConflict only that the tenant still narrows its ancestors. So a move marks stale every
 * open request (rollbacks included) writing the policy or status of a tenant in the moved subtree.
 *
 * @example await markMovedSubtreeStale(tx, new Set(["ten_a", "ten_b"]), who, "ten_a moved from ten_p to ten_q")
 */
import type { AuditActor } from "../audit/audit-actor.ts";
import type { Tx } from "../db/client.ts";
import { markRequestStale, TENANT_ENTITIES } from "./change-request.repo.ts";
import type { EntityWrite } from "./policy-state.ts";

/** The tenants of `moved` whose policy or status `writes` set, sorted. Pure. */
export function movedTenantsWritten(writes: readonly EntityWrite[], moved: ReadonlySet<string>): string[] {
  return [...new Set(writes.filter((w) => TENANT_ENTITIES.includes(w.entity) && moved.has(w.id)).map((w) => w.id))].sort();
}

/** In the move's transaction (it holds the config lock): each such request goes stale, audited as `change.stale`. */
export async function markMovedSubtreeStale(tx: Tx, moved: ReadonlySet<string>, who: AuditActor, move: string): Promise<void> {
  if (moved.size === 0) return;
  const open = await tx<{ id: string; writes: EntityWrite[] }[]>`
    select id, writes from change_requests where status in ('pending', 'approved', 'scheduled') order by id for update`;
  for (const r of open) {
    const tenants = movedTenantsWritten(r.writes, moved);
    if (tenants.length > 0) {
      await markRequestStale(tx, r.id, `it sets the policy or status of ${tenants.map((t) => `tenant ${t}`).join(", ")}, reviewed under other ancestors: ${move}`, who);
    }
  }
}
