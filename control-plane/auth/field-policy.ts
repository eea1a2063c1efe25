/**
 * Which roles may call each root field. Default deny: a root field missing here is refused for
 * everyone (a test keeps this table and the schema in step). Tenant admins pass this gate for
 * tenant-scoped fields only; the services then confine them to their subtree.
 *
 * The direct config mutations (createDeployment, createAlias, updateAlias, setPrice, createRegion, updateRegion, rotateRegionToken)
 * are the bootstrap path: `admin` only, and the routing ones (BOOTSTRAP_ONLY) only with the bootstrap
 * admin token itself. Everyone else, admins with JWTs included, changes routing policy through
 * change requests, so no single person bypasses review.
 */
import type { Role } from "./principal.ts";

/** Direct routing mutations that skip review: open only to the bootstrap admin token (Principal.bootstrap). */
export const BOOTSTRAP_ONLY: ReadonlySet<string> = new Set(["createDeployment", "createAlias", "updateAlias", "setPrice"]);

/**
 * Reader lists, shared with the services: they pass the list of the field they serve to
 * visibleTenants / requireVisibleTenant, so the tenant scope comes from the roles that let the
 * caller in, never from some other global role it happens to hold.
 */
export const READERS: readonly Role[] = ["admin", "approver", "finance", "viewer"];
export const TENANT_READERS: readonly Role[] = [...READERS, "tenant_admin"];
export const SPEND_READERS: readonly Role[] = ["admin", "finance", "tenant_admin"];

export const FIELD_POLICY: Record<"Query" | "Mutation", Record<string, readonly Role[] | "anyone">> = {
  Query: {
    me: "anyone",
    tenants: TENANT_READERS,
    tenant: TENANT_READERS,
    keys: TENANT_READERS,
    deployments: READERS,
    aliases: READERS,
    prices: READERS,
    regions: READERS,
    configVersion: READERS,
    // Spend is finance data: viewers and approvers read configuration, not money. Every field that
    // shows spend (spend, budgetStatus, limitStatus, budgetAlerts) has exactly these roles.
    spend: SPEND_READERS,
    auditLog: READERS,
    verifyAuditChain: READERS,
    changeRequests: TENANT_READERS,
    changeRequest: TENANT_READERS,
    principals: ["admin"],
    budgetStatus: SPEND_READERS,
    limitStatus: SPEND_READERS,
    budgetAlerts: SPEND_READERS,
  },
  Mutation: {
    createTenant: ["admin", "tenant_admin"],
    moveTenant: ["admin", "tenant_admin"],
    createKey: ["admin", "tenant_admin"],
    rotateKey: ["admin", "tenant_admin"],
    revokeKey: ["admin", "tenant_admin"],
    createDeployment: ["admin"],
    createAlias: ["admin"],
    updateAlias: ["admin"],
    setPrice: ["admin"],
    createRegion: ["admin"],
    updateRegion: ["admin"],
    rotateRegionToken: ["admin"],
    proposeChange: ["admin", "approver", "tenant_admin"],
    proposeRollback: ["admin", "approver"],
    approveChange: ["admin", "approver"],
    rejectChange: ["admin", "approver"],
    withdrawChange: ["admin", "approver", "tenant_admin"],
    killSwitch: ["admin", "tenant_admin"],
    createPrincipal: ["admin"],
    grantRole: ["admin"],
    revokeRole: ["admin"],
    // Anyone for its own token (renewal); for another principal, admin: who-may-issue.ts decides.
    issueToken: "anyone",
    revokeToken: ["admin"],
  },
};
