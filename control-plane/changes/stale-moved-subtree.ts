/**
 * A tenant.policy or tenant.status request was reviewed against the tree as it was. After a
 * moveTenant the same writes mean something else, in two ways:
 *
 * - In the moved subtree: dropping a pin (rpm: null) that changed nothing under the old parent (it
 *   held the same limit) lifts the tenant to the new parent's wider limit, a widening nobody reviewed;
 *   value-based staleness (markStaleRequests) sees no target change and tenantPolicyConflict only that
 *   the tenant still narrows its ancestors. So every open request (rollbacks included) writing the
 *   policy or status of a tenant in the moved subtree goes stale.
 * - On the new ancestor chain (every ancestor of the moved tenant after the move, those it keeps
 *   included: what a widening of one did to the moved subtree was judged under the old shape): a
 *   widening of the new parent, reviewed while the moved tenant was not under it, would widen the moved
 *   tenant once applied, a widening the move itself is refused for. So every open request that loosens
 *   such a tenant's own policy (tenant-policy-loosening.ts, against its policy at the move) or re-enables
 *   it when disabled goes stale. One that only narrows it, or leaves it as it is, stays open: it cannot
 *   widen anything below.
 *
 * @example await markMovedSubtreeStale(tx, { subtree: new Set(["ten_a", "ten_b"]), ancestors: [] }, who, "ten_a moved from ten_p to ten_q")
 */
import type { AuditActor } from "../audit/audit-actor.ts";
import type { Tx } from "../db/client.ts";
import { markRequestStale, TENANT_ENTITIES } from "./change-request.repo.ts";
import type { EntityWrite, TenantPolicyValue } from "./policy-state.ts";
import { policyLoosening } from "./tenant-policy-loosening.ts";

/** A tenant above the moved one after the move, as it is then. */
export interface NewAncestor {
  id: string;
  policy: TenantPolicyValue;
  disabled: boolean;
}

export interface MovedTree {
  /** The moved tenant and everything under it (empty: a move to the same parent, nothing goes stale). */
  subtree: ReadonlySet<string>;
  /** The moved tenant's ancestors after the move, nearest first. */
  ancestors: readonly NewAncestor[];
}

/** The tenants of `moved` whose policy or status `writes` set, sorted. Pure. */
export function movedTenantsWritten(writes: readonly EntityWrite[], moved: ReadonlySet<string>): string[] {
  return [...new Set(writes.filter((w) => TENANT_ENTITIES.includes(w.entity) && moved.has(w.id)).map((w) => w.id))].sort();
}

/** The ancestors `writes` would loosen or re-enable, as "tenant ten_… (rpm 100 → 1000)". Pure. */
export function ancestorsWidened(writes: readonly EntityWrite[], ancestors: readonly NewAncestor[]): string[] {
  const out: string[] = [];
  for (const a of ancestors) {
    const wider: string[] = [];
    for (const w of writes) {
      if (w.id !== a.id || w.dependency) continue;
      if (w.entity === "tenantPolicy") wider.push(...policyLoosening(a.policy, w.value as TenantPolicyValue | null));
      if (w.entity === "tenantStatus" && a.disabled && w.value?.status !== "disabled") wider.push("disabled → active");
    }
    if (wider.length > 0) out.push(`tenant ${a.id} (${wider.join(", ")})`);
  }
  return out;
}

/** In the move's transaction (it holds the config lock): each such request goes stale, audited as `change.stale`. */
export async function markMovedSubtreeStale(tx: Tx, moved: MovedTree, who: AuditActor, move: string): Promise<void> {
  if (moved.subtree.size === 0) return;
  const open = await tx<{ id: string; writes: EntityWrite[] }[]>`
    select id, writes from change_requests where status in ('pending', 'approved', 'scheduled') order by id for update`;
  for (const r of open) {
    const tenants = movedTenantsWritten(r.writes, moved.subtree);
    const widened = ancestorsWidened(r.writes, moved.ancestors);
    const why = [
      ...(tenants.length > 0 ? [`it sets the policy or status of ${tenants.map((t) => `tenant ${t}`).join(", ")}, reviewed under other ancestors`] : []),
      ...(widened.length > 0 ? [`it widens ${widened.join(", ")}, now above the moved tenant, reviewed while it was not`] : []),
    ];
    if (why.length > 0) await markRequestStale(tx, r.id, `${why.join("; ")}: ${move}`, who);
  }
}
