/**
 * Residency rules for one request: the jurisdictions the tenant's data may be processed in (the
 * intersection of its own list and every ancestor's, following `parentId`) and the deployment flags
 * its data class requires. Pure functions of the snapshot; the planner filters the chain with them
 * BEFORE walking it, so a fallback can never cross the rule.
 */
import type { Operation } from "../../shared/snapshot/provider-operations.ts";
import type { RegionDirectoryEntry, Snapshot, SnapshotDeployment, SnapshotKey, SnapshotTenant } from "../../shared/snapshot/schema.ts";

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
  /**
   * The regions the request's key is published in (SnapshotKey.allowedRegions), or null for every
   * region: advice never names a region where the key would be answered 401.
   */
  keyRegions: readonly string[] | null;
}

/**
 * The tenant's effective jurisdictions: the intersection along its ancestor chain (cycle-safe: only a
 * tenant with a parent can be part of a cycle, so only those are remembered, and a root's walk, the
 * common one, allocates no Set).
 */
export function effectiveJurisdictions(tenant: SnapshotTenant, tenants: Snapshot["tenants"]): string[] | null {
  let allowed: string[] | null = null;
  let seen: Set<string> | undefined;
  for (let t: SnapshotTenant | undefined = tenant; t && !seen?.has(t.id); t = t.parentId ? tenants[t.parentId] : undefined) {
    if (t.parentId) (seen ??= new Set()).add(t.id);
    const own = t.allowedJurisdictions;
    if (own === undefined || own === null) continue;
    allowed = allowed === null ? [...own] : allowed.filter((j) => own.includes(j));
  }
  return allowed;
}

/** @example residencyRule(tenant, snapshot, context.dataClass, key) */
export function residencyRule(tenant: SnapshotTenant, snapshot: Snapshot, dataClass: string | null, key?: Pick<SnapshotKey, "allowedRegions">): ResidencyRule {
  return {
    jurisdictions: effectiveJurisdictions(tenant, snapshot.tenants),
    requiredFlags: dataClass ? (DATA_CLASS_FLAGS[dataClass] ?? []) : [],
    dataClass,
    keyRegions: key?.allowedRegions ?? null,
  };
}

/** Does the rule restrict anything (a jurisdiction list or a data class's flags)? */
export function restricts(rule: ResidencyRule): boolean {
  return rule.jurisdictions !== null || rule.requiredFlags.length > 0;
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
 * serve `aliasName` under the whole rule for the requested operation and carry the request's key, or
 * plainly that none can (or that the key is valid in none of those that can).
 */
export function residencyMessage(rule: ResidencyRule, snapshot: Snapshot, aliasName: string, operation: Operation = "chat"): string {
  const needs: string[] = [];
  if (rule.jurisdictions !== null) needs.push(`data must stay in ${rule.jurisdictions.length > 0 ? rule.jurisdictions.join(", ") : "no jurisdiction at all"}`);
  if (rule.requiredFlags.length > 0) needs.push(`data class '${rule.dataClass}' requires a deployment flagged ${rule.requiredFlags.join(", ")}`);
  let message = `No deployment of this model in region ${snapshot.region} satisfies this tenant's residency rules (${needs.join("; ")}).`;
  if (!snapshot.regionDirectory) return message;
  const verdicts = otherRegions(snapshot).map(([name, entry]) => ({ name, entry, serves: regionServes(entry, aliasName, rule, operation) }));
  const named = (v: (typeof verdicts)[number]) => (v.entry.publicUrl ? `${v.name} (${v.entry.publicUrl})` : v.name);
  const serving = verdicts.filter((v) => v.serves === true);
  const forKey = serving.filter((v) => rule.keyRegions === null || rule.keyRegions.includes(v.name));
  if (forKey.length > 0) message += ` Send this tenant's requests to region ${forKey.map(named).join(" or ")}.`;
  else if (serving.length > 0) message += ` This API key is not valid in any region that could serve this tenant (${serving.map((v) => v.name).join(", ")}); use a key valid there or ask your gateway administrator.`;
  else if (verdicts.every((v) => v.serves === false)) message += " No region serves this model for this tenant's residency rules; ask your gateway administrator.";
  return message;
}

/**
 * Does another region's directory entry say it serves `aliasName` under the rule for the operation?
 * Only per-alias traits count (an entry from an older control plane does not say whether the alias is
 * there at all), so a refusal that would otherwise be model_not_found becomes residency_violation
 * only where an alias is known to exist and fit. The key's regions are not asked: the message says so.
 */
export function servedElsewhere(rule: ResidencyRule, snapshot: Snapshot, aliasName: string, operation: Operation = "chat"): boolean {
  return otherRegions(snapshot).some(([, entry]) => entry.aliases !== undefined && regionServes(entry, aliasName, rule, operation) === true);
}

function otherRegions(snapshot: Snapshot): [string, RegionDirectoryEntry][] {
  return Object.entries(snapshot.regionDirectory ?? {}).filter(([name]) => name !== snapshot.region);
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
