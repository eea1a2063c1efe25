/** Who is calling: a principal with its global roles and the tenant subtrees it administers. */

export const GLOBAL_ROLES = ["admin", "approver", "finance", "viewer"] as const;
export type GlobalRole = (typeof GLOBAL_ROLES)[number];
export type Role = GlobalRole | "tenant_admin";
export const ROLES: readonly Role[] = [...GLOBAL_ROLES, "tenant_admin"];

export interface Principal {
  /** A principal id (`prn_…`), or the admin-token id (`adm_…`) for the bootstrap token. */
  id: string;
  /** True for the bootstrap admin token: the direct (unreviewed) mutations stay open to it. */
  bootstrap: boolean;
  roles: ReadonlySet<GlobalRole>;
  /** Roots of the subtrees this principal is tenant_admin of. */
  tenantRoots: readonly string[];
  /** The JWT id the request authenticated with, if any. */
  jti: string | null;
  /** Who issued that token (null when unknown, e.g. tokens from before issuers were recorded). */
  issuedBy?: string | null;
  /**
   * The principal's kind (`person` or `service`), read with that token (authenticate, the same
   * statement); absent for the bootstrap token, which has no principals row.
   */
  kind?: string;
  /** When that token's lineage started (token-lineage.ts), read with it; absent without one. */
  lineageStartedAt?: Date;
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return roles.some((role) => (role === "tenant_admin" ? principal.tenantRoots.length > 0 : principal.roles.has(role)));
}

/**
 * True when the principal holds one of `readers` (the roles that grant the field being read) as a
 * global role, which reaches every tenant. A global role the field does not grant never widens the
 * scope: a viewer who is also tenant_admin of a team reads spend only in the team's subtree.
 *
 * @example seesAllTenants(viewerAndTeamAdmin, ["admin", "finance", "tenant_admin"]) // false
 */
export function seesAllTenants(principal: Principal, readers: readonly Role[]): boolean {
  return readers.some((role) => role !== "tenant_admin" && principal.roles.has(role));
}
