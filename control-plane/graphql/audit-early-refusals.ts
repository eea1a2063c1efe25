/**
 * Apollo plugin: a mutation refused before any resolver runs — GraphQL validation (a literal out of
 * range, an unknown argument), variable coercion (`rpm: 99999999999`, `name: 5`), the query limits, a
 * GET — is audited as `refused.<field>` like the refusals the authorize middleware sees, one row per
 * operation, named after its first root field (`refused.mutation` when it names none the API has).
 * Only authenticated requests reach Apollo, so no one without a token can write to the log. A request
 * that does not parse is not audited: it names no operation to attribute. The row keeps graphql-js's
 * message only without the values it quotes (request-refusal-message.ts): a vendor key sent by mistake
 * must not stay in the append-only log.
 */
import { getOperationAST, Kind, valueFromASTUntyped, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import { truncateText } from "../audit/audit-text.ts";
import { refusalTarget } from "../audit/refusal-target.ts";
import { runAudited } from "../audit/run-audited.ts";
import type { GraphQLContext } from "./context.ts";
import { QUERY_TOO_COMPLEX } from "./query-limits.ts";
import { auditableRefusalMessage } from "./request-refusal-message.ts";

/** Codes of refusals raised about the request itself, before execution; anything else is not a refusal. */
const REQUEST_REFUSALS = new Set<string>(["GRAPHQL_VALIDATION_FAILED", GraphQLCode.BAD_USER_INPUT, QUERY_TOO_COMPLEX, "BAD_REQUEST"]);

/** What the row says of a refusal whose message has no shape known to quote no value. */
const MESSAGE_NOT_KEPT = "refused before execution (the message is not kept: it may quote the values sent)";

/** The first root field of a selection, through fragments. */
function firstRootField(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode | undefined {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) return sel;
    const inner = sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet : seen.has(sel.name.value) ? undefined : (seen.add(sel.name.value), fragments.get(sel.name.value)?.selectionSet);
    const found = inner && firstRootField(inner, fragments, seen);
    if (found) return found;
  }
  return undefined;
}

export function auditEarlyRefusalsPlugin(schema: GraphQLSchema): ApolloServerPlugin<GraphQLContext> {
  const mutations = schema.getMutationType()?.getFields() ?? {};
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ document, request, errors, contextValue }) {
          // A field error has a path: the resolver ran, and the authorize middleware audited it.
          if (!document || errors.some((e) => e.path)) return;
          const refusal = errors.find((e) => typeof e.extensions?.code === "string" && REQUEST_REFUSALS.has(e.extensions.code));
          const operation = getOperationAST(document, request.operationName);
          if (!refusal || operation?.operation !== "mutation") return;
          const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
          const field = firstRootField(operation.selectionSet, fragments);
          const known = field && Object.hasOwn(mutations, field.name.value) ? field : undefined;
          const args = Object.fromEntries((known?.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, request.variables ?? {})]));
          const code = refusal.extensions.code as string;
          await runAudited(contextValue.deps.sql, contextValue.who, async () => ({
            result: null,
            audit: { action: `refused.${known?.name.value ?? "mutation"}`, target: refusalTarget(args), after: { code, message: truncateText(auditableRefusalMessage(refusal.message) ?? MESSAGE_NOT_KEPT, 1000) } },
          })).catch((auditError) => contextValue.deps.log(`could not audit a refused mutation: ${String(auditError)}`));
        },
      };
    },
  };
}
