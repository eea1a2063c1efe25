/**
 * Step 3, authorize: the alias must exist in this region's snapshot and be allowed for the key. Both
 * failures answer model_not_found, so a key cannot probe which aliases exist. One exception, for an
 * alias the key and its tenant's lists allow: when it is missing here but another region serves it
 * under the tenant's residency rule (the snapshot's regionDirectory), the answer is the
 * residency_violation naming that region, as it is for an alias deployed here outside the rule.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { Operation } from "../../shared/snapshot/provider-operations.ts";
import type { Snapshot, SnapshotAlias, SnapshotKey, SnapshotTenant } from "../../shared/snapshot/schema.ts";
import { residencyMessage, residencyRule, restricts, servedElsewhere } from "./residency.ts";

/** The tenant's own `allowedAliases` and every ancestor's must all allow the alias (cycle-safe, as residency.ts effectiveJurisdictions). */
export function tenantAllows(tenant: SnapshotTenant | undefined, tenants: Snapshot["tenants"], model: string): boolean {
  let seen: Set<string> | undefined;
  for (let t = tenant; t && !seen?.has(t.id); t = t.parentId ? tenants[t.parentId] : undefined) {
    if (t.parentId) (seen ??= new Set()).add(t.id);
    if (t.allowedAliases && !t.allowedAliases.includes(model)) return false;
  }
  return true;
}

/** What the request asks, for the residency answer to an alias missing here (absent: none is given). */
export interface RequestedUse {
  dataClass: string | null;
  operation: Operation;
}

/**
 * @example authorize(body.model, key, snapshot, { dataClass: context.dataClass, operation: "chat" })
 */
export function authorize(
  model: string,
  key: SnapshotKey,
  snapshot: Snapshot,
  use?: RequestedUse,
): { ok: true; alias: SnapshotAlias } | { ok: false; error: GatewayError } {
  const alias = Object.hasOwn(snapshot.aliases, model) ? snapshot.aliases[model] : undefined;
  const listed = (key.allowedAliases === null || key.allowedAliases.includes(model)) && tenantAllows(snapshot.tenants[key.tenantId], snapshot.tenants, model);
  if (alias && listed) return { ok: true, alias };
  if (!alias && listed && use) {
    const elsewhere = residencyElsewhere(model, key, snapshot, use);
    if (elsewhere) return { ok: false, error: elsewhere };
  }
  return { ok: false, error: { kind: "model_not_found", model } };
}

/** A refusal path only: the residency_violation for an alias another region serves under a rule that restricts. */
function residencyElsewhere(model: string, key: SnapshotKey, snapshot: Snapshot, use: RequestedUse): GatewayError | null {
  const tenant = snapshot.tenants[key.tenantId];
  if (!tenant || !snapshot.regionDirectory) return null;
  const rule = residencyRule(tenant, snapshot, use.dataClass, key);
  if (!restricts(rule) || !servedElsewhere(rule, snapshot, model, use.operation)) return null;
  return { kind: "residency_violation", message: residencyMessage(rule, snapshot, model, use.operation) };
}
