/**
 * Global type-graphql middleware: every root Query/Mutation field is checked against FIELD_POLICY
 * before its resolver runs (default deny), after its arguments are checked for text and times
 * PostgreSQL cannot store (graphql/reject-nul.middleware.ts), and every refused mutation — wrong role, out of scope,
 * self-approval, stale, bad input — is written to the audit log as `refused.<field>`, as are the
 * FORBIDDEN / NOT_FOUND reads of principals not reaching every tenant through that field (a tenant
 * admin probing elsewhere, a viewer who is also a team's tenant admin asking for another tenant's spend),
 * one row per operation naming each refused field, per principal at most one a minute, the reads held
 * back written as a summary row at the end of that minute (audit/refused-read-throttle.ts).
 * The row keeps the resolver's message: ours name fields, ids, names and limits, never a free-text value
 * the caller sent (the log is append-only: a vendor key pasted into a field would stay there for good);
 * it is cut to MAX_AUDITED_MESSAGE (audit/refusal-audit.ts) and any secret-shaped word in it masked all the same. Of the arguments
 * it keeps only the closed-set ones (roles, kinds, operations' op: audit/refusal-arguments.ts).
 * A mutation's roles are checked again once it holds the config lock (still-allowed.ts).
 */
import { GraphQLError } from "graphql";
import type { MiddlewareFn } from "type-graphql";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import { refusalAudit } from "../audit/refusal-audit.ts";
import { refusalActor } from "../audit/audit-actor.ts";
import { noteRefusedRead } from "../audit/refused-read-throttle.ts";
import { runAudited } from "../audit/run-audited.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { badArgumentsIn } from "../graphql/reject-nul.middleware.ts";
import { forbidden } from "./access.ts";
import { BOOTSTRAP_ONLY, FIELD_POLICY } from "./field-policy.ts";
import { stillAllowed } from "./still-allowed.ts";
import { GLOBAL_ROLES, hasRole, seesAllTenants } from "./principal.ts";

const AUDITED_REFUSALS = new Set<string>([
  GraphQLCode.FORBIDDEN,
  GraphQLCode.NOT_FOUND,
  GraphQLCode.CONFLICT,
  GraphQLCode.SELF_APPROVAL,
  GraphQLCode.BAD_USER_INPUT,
  // Only from a token revoked while its mutation waited for the config lock (still-allowed.ts).
  GraphQLCode.UNAUTHENTICATED,
]);

export const authorize: MiddlewareFn<GraphQLContext> = async ({ context, info, args }, next) => {
  const parent = info.parentType.name;
  if (parent !== "Query" && parent !== "Mutation") return next();
  const policy = FIELD_POLICY[parent][info.fieldName];
  const readers = Array.isArray(policy) ? policy : GLOBAL_ROLES;
  // The actor of this field's refusal rows.
  const who = refusalActor(context.who);
  const refuse = async (error: unknown): Promise<never> => {
    const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
    // Every refused mutation; and the refused reads of a principal not seeing every tenant through this
    // field (its global roles, if any, do not grant it), which is how reaching across tenants shows.
    const reachAcross = parent === "Query" && !seesAllTenants(context.principal, readers) && (code === GraphQLCode.FORBIDDEN || code === GraphQLCode.NOT_FOUND);
    if ((parent === "Mutation" || reachAcross) && typeof code === "string" && AUDITED_REFUSALS.has(code)) {
      const audit = refusalAudit(info.fieldName, args, code, (error as Error).message);
      // A refused read joins its operation's one row, written when the operation answers, or the
      // principal's summary row a minute on (audit/refused-read-throttle.ts); a refused mutation has its own.
      if (parent === "Query") noteRefusedRead(context, info.fieldName, audit);
      else {
        await runAudited(context.deps.sql, who, async () => ({ result: null, audit })).catch((auditError) =>
          context.deps.log(`could not audit a refused ${info.fieldName}: ${String(auditError)}`),
        );
      }
    }
    throw error;
  };
  // Arguments PostgreSQL cannot store or read back (NUL, lone surrogates, years outside 0100..9999, or
  // 0001..9999 for a filter) are refused before anything else looks at them; the refusal is audited like the rest.
  const badArguments = badArgumentsIn(`${parent}.${info.fieldName}`, args);
  if (badArguments) return refuse(badArguments);
  if (policy === undefined) return refuse(forbidden(`${info.fieldName} has no access policy`));
  if (policy !== "anyone" && !hasRole(context.principal, ...policy)) return refuse(forbidden(`${info.fieldName} requires one of: ${policy.join(", ")}`));
  if (parent === "Mutation" && BOOTSTRAP_ONLY.has(info.fieldName) && !context.principal.bootstrap) {
    return refuse(forbidden(`${info.fieldName} skips review: only the bootstrap admin token may call it; use proposeChange`));
  }
  // Mutations run one after another: for this one, the config lock re-checks the caller (still-allowed.ts).
  if (parent === "Mutation") context.who = { ...who, stillAllowed: stillAllowed(context, info.fieldName, policy) };
  try {
    return await next();
  } catch (error) {
    return refuse(error);
  } finally {
    context.who = who;
  }
};
