/**
 * Kill switches bypass approval for emergencies: disable a provider's deployments, a deployment, a key
 * or a tenant at once, as one config version, with an audit row flagged break-glass. A tenant admin
 * may pull the switch on a key or tenant inside its subtree; providers and deployments are admin only.
 * A key's switch revokes every secret of its lineage (a rotated key's old secret in its grace too).
 * Open requests that would turn a killed target back on go stale, also when it was already off.
 */
import { forbidden, requireTenantInScope } from "../auth/access.ts";
import { hasRole } from "../auth/principal.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badInput, notFound } from "../graphql/errors.ts";
import { maskedText } from "../graphql/quoted-value.ts";
import { requireText } from "../graphql/validate.ts";
import { findKey, revokeSecrets } from "../keys/key.repo.ts";
import { runConfigChange } from "../snapshots/config-change.ts";
import { findTenant, setTenantStatus } from "../tenants/tenant.repo.ts";
import type { KillSwitchResult, KillSwitchTarget } from "./change-request.type.ts";
import { markReenablingStale, type KilledTargets } from "./stale-reenables.ts";
import { toAuditActor } from "../audit/run-audited.ts";

const KINDS = ["provider", "deployment", "key", "tenant"];

/** How long a kill switch's reason may be, as sent and in its audit row. */
const MAX_REASON = 1000;

export async function killSwitch(ctx: GraphQLContext, target: KillSwitchTarget, reasonInput: string): Promise<KillSwitchResult> {
  const reason = requireText("reason", reasonInput, MAX_REASON);
  if (!KINDS.includes(target.kind)) throw badInput("target.kind", `must be one of ${KINDS.join(", ")}`);
  return runConfigChange(ctx.deps, ctx.who, async (tx) => {
    // Under the lock: the roles as they are once it is held (auth/still-allowed.ts).
    if ((target.kind === "provider" || target.kind === "deployment") && !hasRole(ctx.principal, "admin")) throw forbidden(`a ${target.kind} kill switch is admin only`);
    let affected = 0;
    let before: unknown = null;
    let revokedKeyIds: string[] | undefined;
    // What must stay off: a pending request turning it back on was written before this kill (stale-reenables.ts).
    const killed: KilledTargets = { tenants: [], deployments: [] };
    switch (target.kind) {
      case "provider": {
        const rows = await tx<{ id: string }[]>`update deployments set status = 'disabled' where provider = ${target.id} and status = 'active' returning id`;
        if (rows.length === 0) throw notFound("active deployments of provider", target.id);
        affected = rows.length;
        before = { deploymentIds: rows.map((r) => r.id) };
        killed.deployments = (await tx<{ id: string }[]>`select id from deployments where provider = ${target.id}`).map((r) => r.id);
        // And those a pending request would create with it, or switch to it.
        killed.providers = [target.id];
        break;
      }
      case "deployment": {
        const rows = await tx<{ id: string }[]>`update deployments set status = 'disabled' where id = ${target.id} returning id`;
        if (rows.length === 0) throw notFound("deployment", target.id);
        affected = 1;
        killed.deployments = [target.id];
        break;
      }
      case "key": {
        const key = await findKey(tx, target.id);
        if (!key) throw notFound("key", target.id);
        await requireTenantInScope(ctx, tx, key.tenantId).catch(() => {
          throw notFound("key", target.id);
        });
        before = key;
        // The whole lineage, whichever of its ids was named: a secret rotated away is the same key in
        // its grace, and the abuse that breaks glass may come through it.
        revokedKeyIds = await revokeSecrets(tx, key.id, true);
        affected = revokedKeyIds.length;
        break;
      }
      case "tenant": {
        await requireTenantInScope(ctx, tx, target.id);
        const tenant = await findTenant(tx, target.id);
        if (!tenant) throw notFound("tenant", target.id);
        before = { status: tenant.status };
        await setTenantStatus(tx, target.id, "disabled");
        affected = 1;
        killed.tenants = [target.id];
        break;
      }
    }
    return {
      result: { kind: target.kind, id: target.id, affected },
      // The append-only row keeps the reason with any secret-shaped word masked (a leaked key quoted in it), within the same bound.
      audit: { action: `killswitch.${target.kind}`, target: target.id, before, after: { reason: maskedText(reason, MAX_REASON), affected, disabled: true, ...(revokedKeyIds ? { revokedKeyIds } : {}) }, breakGlass: true },
      // After the kill's own audit row, so each change.stale follows the act that caused it.
      onVersion: (inner) => markReenablingStale(inner, killed, toAuditActor(ctx.who), `kill switch on ${target.kind} ${target.id}`),
    };
  });
}
