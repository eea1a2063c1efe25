/**
 * Global type-graphql middleware: every root Query/Mutation field is checked against FIELD_POLICY
 * before its resolver runs (default deny), and every refused mutation — wrong role, out of scope,
 * self-approval, stale, bad input — is written to the audit log as `refused.<field>`, as are the
 * FORBIDDEN / NOT_FOUND reads of principals confined to a subtree (a tenant admin probing elsewhere).
 */
import { GraphQLError } from "graphql";
import type { MiddlewareFn } from "type-graphql";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import { runAudited } from "../audit/run-audited.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { forbidden } from "./access.ts";
import { BOOTSTRAP_ONLY, FIELD_POLICY } from "./field-policy.ts";
import { hasRole, seesAllTenants } from "./principal.ts";

const AUDITED_REFUSALS = new Set<string>([
  GraphQLCode.FORBIDDEN,
  GraphQLCode.NOT_FOUND,
  GraphQLCode.CONFLICT,
  GraphQLCode.SELF_APPROVAL,
  GraphQLCode.BAD_USER_INPUT,
]);

/** The id a refused mutation aimed at, for the audit row's target. */
function targetOf(args: Record<string, any>): string {
  const input = args.input ?? {};
  const candidate = args.id ?? args.jti ?? args.principalId ?? input.id ?? input.tenantId ?? input.principalId ?? input.name ?? args.toVersion;
  // A NUL (refused by rejectNul) cannot be stored: PostgreSQL refuses it in text.
  return candidate === undefined || candidate === null ? "" : String(candidate).slice(0, 200).replaceAll("\u0000", "\uFFFD");
}

export const authorize: MiddlewareFn<GraphQLContext> = async ({ context, info, args }, next) => {
  const parent = info.parentType.name;
  if (parent !== "Query" && parent !== "Mutation") return next();
  const refuse = async (error: unknown): Promise<never> => {
    const code = error instanceof GraphQLError ? error.extensions?.code : undefined;
    // Every refused mutation; and a scoped principal's refused reads, which is how reaching across tenants shows.
    const reachAcross = parent === "Query" && !seesAllTenants(context.principal) && (code === GraphQLCode.FORBIDDEN || code === GraphQLCode.NOT_FOUND);
    if ((parent === "Mutation" || reachAcross) && typeof code === "string" && AUDITED_REFUSALS.has(code)) {
      await runAudited(context.deps.sql, context.who, async () => ({
        result: null,
        audit: { action: `refused.${info.fieldName}`, target: targetOf(args), after: { code, message: (error as Error).message } },
      })).catch((auditError) => context.deps.log(`could not audit a refused ${info.fieldName}: ${String(auditError)}`));
    }
    throw error;
  };
  const policy = FIELD_POLICY[parent][info.fieldName];
  if (policy === undefined) return refuse(forbidden(`${info.fieldName} has no access policy`));
  if (policy !== "anyone" && !hasRole(context.principal, ...policy)) return refuse(forbidden(`${info.fieldName} requires one of: ${policy.join(", ")}`));
  if (parent === "Mutation" && BOOTSTRAP_ONLY.has(info.fieldName) && !context.principal.bootstrap) {
    return refuse(forbidden(`${info.fieldName} skips review: only the bootstrap admin token may call it; use proposeChange`));
  }
  try {
    return await next();
  } catch (error) {
    return refuse(error);
  }
};
