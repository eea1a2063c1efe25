/**
 * Residency rules for one request: the jurisdictions the tenant's data may be processed in (the
 * intersection of its own list and every ancestor's, following `parentId`) and the deployment flags
 * its data class requires. Pure functions of the snapshot; the planner filters the chain with them
 * BEFORE walking it, so a fallback can never cross the rule.
 */
import type { Operation } from "../../shared/snapshot/provider-operations.ts";
import type { RegionDirectoryEntry, Snapshot, SnapshotDeployment, SnapshotTenant } from "../../shared/snapshot/schema.ts";

/** Data classes this gateway knows, and the deployment flags each requires. */
export const DATA_CLASS_FLAGS: Readonly<Record<string, readonly string[]>> = {
  public: [],
  internal: [],
  confidential: [],
  pii: [],
  phi: ["baa"],
};

export interface ResidencyRule {
  /** Allowed jurisdictions, or null when no tenant in the chain restricts them. */
  jurisdictions: string[] | null;
  /** Flags every deployment must carry (from the data class). */
  requiredFlags: readonly string[];
  dataClass: string | null;
}

/** The tenant's effective jurisdictions: the intersection along its ancestor chain (cycle-safe). */
export function effectiveJurisdictions(tenant: SnapshotTenant, tenants: Snapshot["tenants"]): string[] | null {
  let allowed: string[] | null = null;
  const seen = new Set<string>();
  for (let t: SnapshotTenant | undefined = tenant; t && !seen.has(t.id); t = t.parentId ? tenants[t.parentId] : undefined) {
    seen.add(t.id);
    const own = t.allowedJurisdictions;
    if (own === undefined || own === null) continue;
    allowed = allowed === null ? [...own] : allowed.filter((j) => own.includes(j));
  }
  return allowed;
}

export function residencyRule(tenant: SnapshotTenant, snapshot: Snapshot, dataClass: string | null): ResidencyRule {
  return { jurisdictions: effectiveJurisdictions(tenant, snapshot.tenants), requiredFlags: dataClass ? (DATA_CLASS_FLAGS[dataClass] ?? []) : [], dataClass };
}

/**
 * Does this deployment (or a directory entry's traits of one) satisfy every rule? A deployment of
 * unknown jurisdiction fits no restriction.
 */
export function satisfies(deployment: Pick<SnapshotDeployment, "jurisdiction" | "flags">, rule: ResidencyRule): boolean {
  if (rule.jurisdictions !== null && (!deployment.jurisdiction || !rule.jurisdictions.includes(deployment.jurisdiction))) return false;
  return rule.requiredFlags.every((flag) => deployment.flags?.includes(flag) ?? false);
}

/**
 * The residency_violation message: what is required, and which other regions (with endpoints) can
 * serve `aliasName` under the whole rule for the requested operation, or plainly that none can.
 */
export function residencyMessage(rule: ResidencyRule, snapshot: Snapshot, aliasName: string, operation: Operation = "chat"): string {
  const needs: string[] = [];
  if (rule.jurisdictions !== null) needs.push(`data must stay in ${rule.jurisdictions.length > 0 ? rule.jurisdictions.join(", ") : "no jurisdiction at all"}`);
  if (rule.requiredFlags.length > 0) needs.push(`data class '${rule.dataClass}' requires a deployment flagged ${rule.requiredFlags.join(", ")}`);
  let message = `No deployment of this model in region ${snapshot.region} satisfies this tenant's residency rules (${needs.join("; ")}).`;
  if (!snapshot.regionDirectory) return message;
  const others = Object.entries(snapshot.regionDirectory).filter(([name]) => name !== snapshot.region);
  const verdicts = others.map(([name, entry]) => ({ name, entry, serves: regionServes(entry, aliasName, rule, operation) }));
  const serving = verdicts.filter((v) => v.serves === true).map(({ name, entry }) => (entry.publicUrl ? `${name} (${entry.publicUrl})` : name));
  if (serving.length > 0) message += ` Send this tenant's requests to region ${serving.join(" or ")}.`;
  else if (verdicts.every((v) => v.serves === false)) message += " No region serves this model for this tenant's residency rules; ask your gateway administrator.";
  return message;
}

/**
 * Can this region serve the alias under the rule? From the entry's per-alias traits when published
 * (for embeddings, only traits whose deployments can embed; traits from a control plane that did not
 * publish `embeddings` leave that unknown: null unless another fits). An entry from an older control
 * plane has only its jurisdictions, so it is judged on those alone (true on an overlap, even though
 * its flags and operations are unknown), and not at all (null) without a jurisdiction restriction.
 */
function regionServes(entry: RegionDirectoryEntry, aliasName: string, rule: ResidencyRule, operation: Operation): boolean | null {
  if (entry.aliases) {
    // Own keys only: a parsed directory is a plain object, and an alias may be named "constructor".
    if (!Object.hasOwn(entry.aliases, aliasName)) return false;
    const fitting = entry.aliases[aliasName]!.filter((traits) => satisfies(traits, rule));
    if (operation === "chat") return fitting.length > 0;
    if (fitting.some((traits) => traits.embeddings === true)) return true;
    return fitting.some((traits) => traits.embeddings === undefined) ? null : false;
  }
  if (rule.jurisdictions === null) return null;
  return entry.jurisdictions.some((j) => rule.jurisdictions!.includes(j));
}
