/**
 * Who may call issueToken for whom. A principal may issue a token for itself: tokens live at most an
 * hour, and a person renewing with its current token keeps its token chain its own (the new token
 * records the one it was minted with, so the chain keeps its first issuer), until the lineage someone
 * else's token started ends (token-lineage.ts: ADMIN_JWT_MAX_LINEAGE_HOURS). Were renewal admin-only,
 * every token a person acts with after its first hour would come from an admin, who would then stand
 * in its chain, and two people one admin kept in tokens could never review each other
 * (changes/approval-is-authors.ts rule 2). The lineage's end brings that back once a lineage: the
 * person then needs a token someone else issues, and one admin issuing two reviewers theirs makes the
 * two one person until one is in a lineage whose chain leaves that admin out (the same admin issuing
 * them again keeps them one); so issue them with the bootstrap token, which makes nobody the same
 * person, or by two admins whose own tokens' chains share nobody: neither issued the other's token,
 * directly or further up, nor did anyone issue both (GOVERNANCE.md). Issuing in someone else's name is acting
 * as them, so it stays with `admin`. Self-issue is for people: a service principal's token sits where
 * others may reach it, and one that renews itself would outlive the hour a leaked token is good for,
 * so a service needs `admin` for its own token as before. And a service issues for nobody else,
 * whatever its roles: its token is where others may read it (a CI bot's), so with `admin` anyone
 * reading it could mint a token in a real approver's name, propose as them and approve as themself.
 * Refusing `admin` to services instead would break bots that create keys and tenants, and leave the
 * grants already made; issuing in another's name is the one power a bot has no use for. Asked under
 * the config lock, with the caller's roles as they are now.
 */
import { forbidden } from "./access.ts";
import { hasRole, type Principal } from "./principal.ts";

/**
 * Throws FORBIDDEN unless `caller` may issue a token for `principalId`. Reads nothing: the caller's
 * roles and kind come with its token, read again under the lock (still-allowed.ts, principalForJti).
 */
export function checkMayIssueFor(caller: Principal, principalId: string): void {
  if (caller.bootstrap) return;
  // Only a Principal not built by authenticate lacks its kind: refused, as placeInLineage refuses one
  // without its lineage start, rather than taken for a person (who may issue for itself without admin).
  if (caller.kind === undefined) throw forbidden("the caller's principal was not read with its token");
  const admin = hasRole(caller, "admin");
  const service = caller.kind === "service";
  if (principalId !== caller.id) {
    if (service) throw forbidden("a service principal may issue a token only for itself, whatever its roles");
    if (!admin) throw forbidden("issueToken for another principal requires admin; a person may issue a token only for itself");
  } else if (service && !admin) throw forbidden("issueToken for a service principal requires admin; only a person may issue its own token");
}
