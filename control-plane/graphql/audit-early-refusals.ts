/**
 * Apollo plugin: a mutation refused before any resolver runs — GraphQL validation (a literal out of
 * range, an unknown argument), variable coercion (`rpm: 99999999999`, `name: 5`), the query limits, a
 * GET, an operationName naming none of the document's operations (or none given among several), a body
 * Apollo refuses for its shape (`"variables": "oops"`) — is audited as `refused.<field>` like the
 * refusals the authorize middleware sees, one row per request, named after the first root field of the
 * operation it resolves to, else of the document's first mutation (`refused.mutation` when that names
 * none the API has). Only authenticated requests reach Apollo, so no one without a token can write to
 * the log. A request that does not parse is not audited: it names no operation to attribute. The row
 * keeps the refusal's message only without the values it quotes (request-refusal-message.ts), and with
 * any secret-shaped name masked (a name is the caller's too, and gwk_…, AIza… are valid GraphQL names): a
 * vendor key sent by mistake must not stay in the append-only log.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { getOperationAST, Kind, parse, valueFromASTUntyped, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import type { ApolloServerPlugin, HTTPGraphQLRequest } from "@apollo/server";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import { refusalAudit } from "../audit/refusal-audit.ts";
import { runAudited } from "../audit/run-audited.ts";
import type { GraphQLContext } from "./context.ts";
import { requestErrorCode } from "./errors.ts";
import { QUERY_TOO_COMPLEX } from "./query-limits.ts";
import { auditableRefusalMessage } from "./request-refusal-message.ts";
import { isRecord } from "../../shared/is-record.ts";

/** Codes of refusals raised about the request itself, before execution; anything else is not a refusal. */
const REQUEST_REFUSALS = new Set<string>([
  "GRAPHQL_VALIDATION_FAILED",
  GraphQLCode.BAD_USER_INPUT,
  QUERY_TOO_COMPLEX,
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

/** What the row says of a refusal whose message has no shape known to quote no value. */
const MESSAGE_NOT_KEPT = "refused before execution (the message is not kept: it may quote the values sent)";

/** What a request asked for, as far as the refusal's row needs it. */
interface RefusedRequest {
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

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

/** The mutation a refusal is of: the operation the request resolves to, else (none resolves) the document's first mutation. */
function refusedMutation({ document, operationName }: RefusedRequest): OperationDefinitionNode | undefined {
  const resolved = getOperationAST(document, operationName);
  if (resolved) return resolved.operation === "mutation" ? resolved : undefined;
  return document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.operation === "mutation");
}

/** The document of a query text, or undefined when there is none or it does not parse. */
function parsed(query: unknown): DocumentNode | undefined {
  if (typeof query !== "string") return undefined;
  try {
    return parse(query);
  } catch {
    return undefined;
  }
}


/**
 * The request in an HTTP request Apollo refused before starting it: a POST body's (the first holding a
 * mutation, for a batch) or a GET's query parameters. Undefined when none parses and holds a mutation.
 */
function requestOfHttp(http: HTTPGraphQLRequest): RefusedRequest | undefined {
  const search = new URLSearchParams(http.search);
  const fields: Record<string, unknown>[] =
    http.method === "GET" ? [{ query: search.get("query"), operationName: search.get("operationName") ?? undefined }] : (Array.isArray(http.body) ? http.body : [http.body]).filter(isRecord);
  const requests = fields.flatMap((f): RefusedRequest[] => {
    const document = parsed(f.query);
    return document ? [{ document, operationName: typeof f.operationName === "string" ? f.operationName : undefined, variables: isRecord(f.variables) ? f.variables : {} }] : [];
  });
  return requests.find((r) => refusedMutation(r));
}

/** Writes the refused.<field> row of a refused request holding a mutation; one holding none adds nothing. Never throws. */
async function auditRefusal(mutations: Record<string, unknown>, context: GraphQLContext, request: RefusedRequest, code: string, message: string): Promise<void> {
  try {
    const operation = refusedMutation(request);
    if (!operation) return;
    const fragments = new Map(request.document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
    const field = firstRootField(operation.selectionSet, fragments);
    const known = field && Object.hasOwn(mutations, field.name.value) ? field : undefined;
    const args = Object.fromEntries((known?.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, request.variables)]));
    await runAudited(context.deps.sql, context.who, async () => ({
      result: null,
      audit: refusalAudit(known?.name.value ?? "mutation", args, code, auditableRefusalMessage(message) ?? MESSAGE_NOT_KEPT),
    }));
  } catch (auditError) {
    context.deps.log(`could not audit a refused mutation: ${String(auditError)}`);
  }
}

/** The HTTP request Apollo is answering, and whether its GraphQL request started (then didEncounterErrors sees its refusals). */
const answering = new AsyncLocalStorage<{ context: GraphQLContext; http: HTTPGraphQLRequest; started: boolean }>();

/**
 * Runs Apollo on an HTTP request so that a refusal of it before its GraphQL request starts (the body's
 * shape: Apollo's invalidRequestWasReceived names no request) can be audited as that request's.
 */
export function answeringHttpRequest<T>(context: GraphQLContext, http: HTTPGraphQLRequest, run: () => Promise<T>): Promise<T> {
  return answering.run({ context, http, started: false }, run);
}

export function auditEarlyRefusalsPlugin(schema: GraphQLSchema): ApolloServerPlugin<GraphQLContext> {
  const mutations = schema.getMutationType()?.getFields() ?? {};
  return {
    async invalidRequestWasReceived({ error }) {
      const pending = answering.getStore();
      // Started: a BAD_REQUEST raised after the operation ran (an Accept header refused), not a refusal of it.
      if (!pending || pending.started) return;
      const request = requestOfHttp(pending.http);
      if (request) await auditRefusal(mutations, pending.context, request, "BAD_REQUEST", error.message);
    },
    async requestDidStart() {
      // Apollo hands the request a copy of the context: the scope is this HTTP request's alone.
      const pending = answering.getStore();
      if (pending) pending.started = true;
      return {
        async didEncounterErrors({ document, request, errors, contextValue }) {
          // A field error has a path: the resolver ran, and the authorize middleware audited it.
          if (errors.some((e) => e.path)) return;
          // Some refusals come without a code (a persisted query's hash that is not the query's): the one the caller is answered.
          const coded = errors.map((e) => ({ code: typeof e.extensions?.code === "string" ? e.extensions.code : requestErrorCode(e), message: e.message }));
          const refusal = coded.find((e) => e.code !== null && REQUEST_REFUSALS.has(e.code));
          // Refused before parsing (that hash): parsed here.
          const refused = refusal && (document ?? parsed(request.query));
          if (!refused) return;
          const variables = isRecord(request.variables) ? request.variables : {};
          await auditRefusal(mutations, contextValue, { document: refused, operationName: request.operationName, variables }, refusal.code!, refusal.message);
        },
      };
    },
  };
}
