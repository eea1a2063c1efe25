/**
 * Bearer token → Principal. A token with dots is an admin JWT (verified, then looked up by `jti` so a
 * revoked one fails); anything else is checked against the bootstrap admin tokens.
 */
import { adminForToken } from "../admin/admin-token.repo.ts";
import type { Queryable } from "../db/client.ts";
import { verifyAdminJwt } from "./jwt.ts";
import type { GlobalRole, Principal } from "./principal.ts";
import { principalForJti } from "./principal.repo.ts";

/** Told of a refusal: the claims of a JWT that verifies (revoked, unknown, its principal disabled), else null. */
export type OnRefusedToken = (verified: { jti: string; principalId: string } | null) => void;

export async function authenticate(q: Queryable, tokenSecret: Uint8Array, token: string, onRefused: OnRefusedToken = () => {}): Promise<Principal | null> {
  if (token.includes(".")) {
    const claims = await verifyAdminJwt(tokenSecret, token);
    if (!claims) {
      onRefused(null);
      return null;
    }
    const found = await principalForJti(q, claims.jti, claims.principalId);
    if (!found) {
      onRefused(claims);
      return null;
    }
    const roles = new Set<GlobalRole>();
    const tenantRoots: string[] = [];
    for (const b of found.bindings) {
      if (b.role === "tenant_admin") tenantRoots.push(b.tenantId!);
      else roles.add(b.role);
    }
    const { id, issuedBy, kind, lineageStartedAt } = found;
    return { id, bootstrap: false, roles, tenantRoots, jti: claims.jti, issuedBy, kind, lineageStartedAt };
  }
  const adminId = await adminForToken(q, token);
  if (!adminId) {
    onRefused(null);
    return null;
  }
  return { id: adminId, bootstrap: true, roles: new Set<GlobalRole>(["admin"]), tenantRoots: [], jti: null };
}
