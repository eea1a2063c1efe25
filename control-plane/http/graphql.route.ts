/**
 * POST /graphql: authenticates the admin bearer token, then hands the request to Apollo.
 * Every answer, refusals included, is GraphQL JSON with `errors[0].extensions.code`.
 */
import { ACCEPT_NO_CODING } from "../../shared/http/content-coding.ts";
import { readPlainJsonBody, type JsonBodyOutcome } from "../../shared/http/read-json-body.ts";
import { HeaderMap, type ApolloServer } from "@apollo/server";
import { GraphQLCode } from "../../shared/errors/graphql-codes.ts";
import type { AuditActor } from "../audit/audit-actor.ts";
import { authenticate } from "../auth/authenticate.ts";
import type { Queryable } from "../db/client.ts";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../db/database-unavailable.ts";
import { answeringHttpRequest } from "../graphql/audit-early-refusals.ts";
import type { AppDeps, GraphQLContext } from "../graphql/context.ts";
import { makeLoaders } from "../graphql/loaders.ts";
import { lateBodyMessage } from "./body-read-timeout.ts";
import { BEARER_CHALLENGE, bearerToken } from "./region-auth.ts";
import { logRefusedToken } from "./refused-token-log.ts";
import { requestUrl } from "./request-url.ts";

/** Admin requests are small; a larger body is a mistake or an attack. */
export const MAX_GRAPHQL_BODY_BYTES = 1024 * 1024;

function graphqlError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ errors: [{ message, extensions: { code } }] }, { status, headers });
}

/**
 * The body's refusals as GraphQL errors. JSON between systems is UTF-8 (RFC 8259 §8.1), and GraphQL over
 * HTTP assumes it: bytes that are not are refused, not stored as U+FFFD (read-json-body.ts).
 */
function graphqlBody(read: JsonBodyOutcome, maxBytes: number, timeoutMs: number): { ok: true; value: unknown } | Response {
  switch (read) {
    case "late":
      return graphqlError(408, "BAD_REQUEST", lateBodyMessage(timeoutMs));
    case "too_large":
      return graphqlError(413, "BAD_REQUEST", `request body exceeds ${maxBytes} bytes`);
    case "cut_off":
      return graphqlError(400, "BAD_REQUEST", "the request body could not be read completely");
    case "not_utf8":
      return graphqlError(400, "BAD_REQUEST", "request body is not valid UTF-8");
    case "empty":
    case "not_json":
      return graphqlError(400, "BAD_REQUEST", "request body is not JSON");
  }
  return read.ok ? read : graphqlError(415, "BAD_REQUEST", `Content-Encoding ${read.coding} is not supported; send the request body uncompressed`, ACCEPT_NO_CODING);
}

/** The database cannot be reached while authenticating: 503 in GraphQL's shape, to be retried. */
function databaseUnavailable(): Response {
  return graphqlError(503, GraphQLCode.SERVICE_UNAVAILABLE, "database unavailable", { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) });
}

/** The client address for audit rows: the first x-forwarded-for hop only when configured as trusted. */
export function clientAddress(request: Request, socketAddress: string | null, trustForwardedFor: boolean): string | null {
  if (trustForwardedFor) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded.slice(0, 100);
  }
  return socketAddress;
}

export async function handleGraphQL(
  apollo: ApolloServer<GraphQLContext>,
  deps: AppDeps,
  request: Request,
  socketAddress: string | null,
  bodyReadTimeoutMs: number,
): Promise<Response> {
  const token = bearerToken(request);
  // Expired, forged, revoked and unknown tokens all get the same answer.
  let principal: Awaited<ReturnType<typeof authenticate>> = null;
  try {
    // A refused token is logged (its jti and principal when it is ours), throttled: refused-token-log.ts.
    principal = token ? await authenticate(deps.sql, deps.tokenSecret, token, (verified) => logRefusedToken(deps, verified)) : null;
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    return databaseUnavailable();
  }
  if (!principal || !token) return graphqlError(401, GraphQLCode.UNAUTHENTICATED, "missing or invalid admin token", BEARER_CHALLENGE);
  // An admin may issue a token in another principal's name: the audit row names the token and, when
  // it was not the principal's own doing, its issuer, so such acts are not mistaken for the principal's.
  const who: AuditActor = {
    id: principal.id,
    clientAddress: clientAddress(request, socketAddress, deps.trustForwardedFor),
    tokenId: principal.jti,
    issuedBy: principal.issuedBy && principal.issuedBy !== principal.id ? principal.issuedBy : null,
  };
  const url = requestUrl(request);
  let body: unknown = undefined;
  if (request.method === "POST") {
    const read = graphqlBody(await readPlainJsonBody(request, MAX_GRAPHQL_BODY_BYTES, bodyReadTimeoutMs), MAX_GRAPHQL_BODY_BYTES, bodyReadTimeoutMs);
    if (read instanceof Response) return read;
    body = read.value;
  }
  const headers = new HeaderMap();
  request.headers.forEach((value, key) => headers.set(key, value));
  const httpGraphQLRequest = { method: request.method, headers, search: url.search, body };
  const reauthenticate = (q: Queryable) => authenticate(q, deps.tokenSecret, token);
  const context: GraphQLContext = { actor: principal.id, principal, who, deps, reauthenticate, loaders: makeLoaders(deps.sql) };
  const result = await answeringHttpRequest(context, httpGraphQLRequest, () => apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context }));
  const responseHeaders = new Headers();
  for (const [key, value] of result.headers) responseHeaders.set(key, value);
  if (result.body.kind === "complete") return new Response(result.body.string, { status: result.status ?? 200, headers: responseHeaders });
  // Incremental delivery is not enabled; collect defensively rather than stream.
  let text = "";
  for await (const chunk of result.body.asyncIterator) text += chunk;
  return new Response(text, { status: result.status ?? 200, headers: responseHeaders });
}
