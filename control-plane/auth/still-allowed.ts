/**
 * A mutation is authorized when its request arrives, then may wait up to the config lock's timeout
 * behind other changes. A revokeToken or revokeRole committed during that wait must hold for it: a
 * thief's issueToken queued behind the revocation of the stolen token must not mint a fresh one, a
 * tenant admin's createKey queued behind the loss of the role must not hand out a key. So, in the
 * transaction that has just taken the lock, the token is authenticated again (one statement) and the
 * field's roles checked with the principal as it is now; the request goes on with those roles (the
 * tenant scope checks that follow read them).
 *
 * @example context.who = { ...who, stillAllowed: stillAllowed(context, "createKey", ["admin", "tenant_admin"]) };
 */
import { GraphQLError } from "graphql";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import type { Tx } from "../db/client.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { forbidden } from "./access.ts";
import { hasRole, type Role } from "./principal.ts";

export function revokedWhileWaiting(): GraphQLError {
  return new GraphQLError(
    "missing or invalid admin token: it was revoked or expired, or its principal disabled, while this request waited for the configuration lock; nothing was changed",
    { extensions: { code: GraphQLCode.UNAUTHENTICATED } },
  );
}

/** The re-check of `field` (granted to `roles`) for AuditActor.stillAllowed; updates `context.principal`. */
export function stillAllowed(context: GraphQLContext, field: string, roles: readonly Role[] | "anyone"): (tx: Tx) => Promise<void> {
  return async (tx) => {
    const now = await context.reauthenticate(tx);
    if (!now || now.id !== context.principal.id) throw revokedWhileWaiting();
    context.principal = now;
    // The tenant scope cached for this request came from the roles it had.
    context.loaders.scope.visible = null;
    if (roles !== "anyone" && !hasRole(now, ...roles)) throw forbidden(`${field} requires one of: ${roles.join(", ")} (no longer held)`);
  };
}
