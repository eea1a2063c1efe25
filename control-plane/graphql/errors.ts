/**
 * Typed GraphQL errors for the control plane, and the formatter that keeps anything else (SQL
 * errors, bugs) out of responses: the caller sees a generic message, the log sees the real one.
 */
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import { isDatabaseUnavailable } from "../db/database-unavailable.ts";
import { quotedValue } from "./quoted-value.ts";

export function badInput(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, { extensions: { code: GraphQLCode.BAD_USER_INPUT, field } });
}

/** `id` is the caller's and quoted cut and masked (quoted-value.ts): the refusal is audited. */
export function notFound(what: string, id: string): GraphQLError {
  return new GraphQLError(`${what} ${quotedValue(id)} not found`, { extensions: { code: GraphQLCode.NOT_FOUND } });
}

export function conflict(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: GraphQLCode.CONFLICT } });
}

export function unauthenticated(): GraphQLError {
  return new GraphQLError("missing or invalid admin token", { extensions: { code: GraphQLCode.UNAUTHENTICATED } });
}

/** Codes Apollo itself assigns to request problems; safe to pass through. */
const APOLLO_REQUEST_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  // Ours, from the depth/complexity limit (graphql/query-limits.ts).
  "QUERY_TOO_COMPLEX",
]);
/**
 * Errors Apollo and graphql-js raise about the request itself but without a code, which the formatter
 * would otherwise report as INTERNAL_SERVER_ERROR. Matched by exact message and only when the error was
 * raised as a GraphQLError with no original error and no path, so a real failure never matches.
 */
const UNCODED_REQUEST_ERRORS: [RegExp, string][] = [
  // Automatic persisted queries: a hash that is not the query's, or an extension version other than 1.
  [/^provided sha does not match query$/, "BAD_REQUEST"],
  [/^Unsupported persisted query version$/, "PERSISTED_QUERY_NOT_SUPPORTED"],
  // The schema has no Subscription root (nor any other root the operation names).
  [/^Schema is not configured to execute (query|mutation|subscription) operation\.$/, "BAD_REQUEST"],
  // graphql-js stops coercing variables after 50 errors and says so in one more error, without a code.
  [/^Too many errors processing variables, error limit reached\. Execution aborted\.$/, GraphQLCode.BAD_USER_INPUT],
];

/** The code of an uncoded error about the request, or null when it is something else. */
export function requestErrorCode(error: unknown): string | null {
  if (!(error instanceof GraphQLError) || error.originalError || error.path || error.extensions?.code !== undefined) return null;
  return UNCODED_REQUEST_ERRORS.find(([pattern]) => pattern.test(error.message))?.[1] ?? null;
}

const OUR_CODES = new Set<string>(Object.values(GraphQLCode).filter((c) => c !== GraphQLCode.INTERNAL_SERVER_ERROR));

/**
 * Apollo `formatError`: known codes pass, a database that cannot be reached is SERVICE_UNAVAILABLE
 * (retry), everything else becomes a generic INTERNAL_SERVER_ERROR.
 */
export function makeFormatError(log: (line: string) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    const original = unwrapResolverError(error);
    const ours = original instanceof GraphQLError && typeof code === "string" && OUR_CODES.has(code);
    if (ours || (typeof code === "string" && APOLLO_REQUEST_CODES.has(code))) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    // Variable coercion failures arrive as BAD_USER_INPUT GraphQLErrors without an original error.
    if (code === GraphQLCode.BAD_USER_INPUT && !(original instanceof Error && !(original instanceof GraphQLError))) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    if (isDatabaseUnavailable(original)) {
      log(`graphql: database unavailable at ${formatted.path?.join(".") ?? "(request)"}: ${(original as Error).message}`);
      return { message: "database unavailable", path: formatted.path, extensions: { code: GraphQLCode.SERVICE_UNAVAILABLE } };
    }
    const requestCode = requestErrorCode(error);
    if (requestCode) return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: requestCode } };
    const detail = original instanceof Error ? (original.stack ?? original.message) : String(original);
    log(`graphql internal error at ${formatted.path?.join(".") ?? "(request)"}: ${detail}`);
    return { message: "internal server error", path: formatted.path, extensions: { code: GraphQLCode.INTERNAL_SERVER_ERROR } };
  };
}
