/**
 * Step 3, authorize: the alias must exist in this region's snapshot and be allowed for the key. Both
 * failures answer model_not_found, so a key cannot probe which aliases exist.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { Snapshot, SnapshotAlias, SnapshotKey, SnapshotTenant } from "../../shared/snapshot/schema.ts";

/** The tenant's own `allowedAliases` and every ancestor's must all allow the alias (cycle-safe). */
export function tenantAllows(tenant: SnapshotTenant | undefined, tenants: Snapshot["tenants"], model: string): boolean {
  const seen = new Set<string>();
  for (let t = tenant; t && !seen.has(t.id); t = t.parentId ? tenants[t.parentId] : undefined) {
    seen.add(t.id);
    if (t.allowedAliases && !t.allowedAliases.includes(model)) return false;
  }
  return true;
}

export function authorize(model: string, key: SnapshotKey, snapshot: Snapshot): { ok: true; alias: SnapshotAlias } | { ok: false; error: GatewayError } {
  const alias = Object.hasOwn(snapshot.aliases, model) ? snapshot.aliases[model] : undefined;
  if (!alias || (key.allowedAliases !== null && !key.allowedAliases.includes(model)) || !tenantAllows(snapshot.tenants[key.tenantId], snapshot.tenants, model)) {
    return { ok: false, error: { kind: "model_not_found", model } };
  }
  return { ok: true, alias };
}
