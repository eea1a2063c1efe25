/**
 * Typed GraphQL errors for the control plane, and the formatter that keeps anything else (SQL
 * errors, bugs) out of responses: the caller sees a generic message, the log sees the real one.
 */
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";

export function badInput(field: string, message: string): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, { extensions: { code: GraphQLCode.BAD_USER_INPUT, field } });
}

export function notFound(what: string, id: string): GraphQLError {
  return new GraphQLError(`${what} ${id} not found`, { extensions: { code: GraphQLCode.NOT_FOUND } });
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
const OUR_CODES = new Set<string>(Object.values(GraphQLCode).filter((c) => c !== GraphQLCode.INTERNAL_SERVER_ERROR));

/** Apollo `formatError`: known codes pass, everything else becomes a generic INTERNAL_SERVER_ERROR. */
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
    const detail = original instanceof Error ? (original.stack ?? original.message) : String(original);
    log(`graphql internal error at ${formatted.path?.join(".") ?? "(request)"}: ${detail}`);
    return { message: "internal server error", path: formatted.path, extensions: { code: GraphQLCode.INTERNAL_SERVER_ERROR } };
  };
}
