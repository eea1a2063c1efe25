/** The control plane's HTTP route table. */
import type { ApolloServer } from "@apollo/server";
import type { JWK } from "jose";
import { bodyLeftUnread } from "../../shared/http/body-left-unread.ts";
import { JWKS_PATH, SNAPSHOT_PATH_PREFIX, USAGE_PATH } from "../../shared/internal-api.ts";
import type { AppDeps, GraphQLContext } from "../graphql/context.ts";
import { handleGraphQL } from "./graphql.route.ts";
import { handleHealth } from "./health.route.ts";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../db/database-unavailable.ts";
import { jsonError } from "./json-error.ts";
import { handleSnapshot } from "./snapshot.route.ts";
import { handleUsage } from "./usage.route.ts";
import { LEASES_PATH } from "../../shared/leases/lease-wire.ts";
import { handleLeases } from "../budgets/lease.route.ts";
import { requestUrl } from "./request-url.ts";

export interface ServerOptions {
  port: number;
  host: string;
  apollo: ApolloServer<GraphQLContext>;
  /** The proxies' endpoints (snapshot polls, usage ingest, leases). */
  deps: AppDeps;
  /** GraphQL's: the same with `sql` the admin pool (Database.admin), so admin work never holds the proxies' connections. */
  adminDeps: AppDeps;
  jwks: { keys: JWK[] };
  /** BODY_READ_TIMEOUT_MS: how long a POST body may take to arrive, whole (main.ts fills in DEFAULT_BODY_READ_TIMEOUT_MS). */
  bodyReadTimeoutMs: number;
}

export function startHttpServer(options: ServerOptions): ReturnType<typeof Bun.serve> {
  const { apollo, deps, adminDeps, jwks, bodyReadTimeoutMs } = options;
  const route = async (request: Request, clientIp: () => string | null): Promise<Response> => {
    const { pathname } = requestUrl(request);
    if (pathname === "/graphql") return handleGraphQL(apollo, adminDeps, request, clientIp(), bodyReadTimeoutMs);
    if (pathname.startsWith(SNAPSHOT_PATH_PREFIX)) return handleSnapshot(deps, request, pathname);
    if (pathname === USAGE_PATH) return handleUsage(deps.sql, request, deps.log, bodyReadTimeoutMs);
    if (pathname === LEASES_PATH) return handleLeases(deps.sql, request, deps.log, bodyReadTimeoutMs);
    if (pathname === JWKS_PATH) return Response.json(jwks, { headers: { "cache-control": "max-age=300" } });
    if (pathname === "/health") return handleHealth(deps.sql);
    return jsonError(404, "not_found", "no such route");
  };
  return Bun.serve({
    port: options.port,
    hostname: options.host,
    development: false,
    // Bun binds with SO_REUSEPORT unless told not to: a second process on this port would start without
    // an error and take part of the traffic. A port in use must fail the start.
    reusePort: false,
    // Each route bounds its own body in size and time (readBodyBytesWithin) and refuses a larger or
    // late one in its own protocol (GraphQL error, JSON); Bun's own limit would answer a bare 413 with
    // no body before the route runs, and Bun's idle timer restarts at every byte of a trickled body.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    async fetch(request, server) {
      const response = await route(request, () => server.requestIP(request)?.address ?? null);
      // A body a route stopped reading before its end (over its bound, cut off, late): the client may still
      // be sending it, and nobody reads the rest.
      if (bodyLeftUnread(request)) response.headers.set("connection", "close");
      return response;
    },
    error(error) {
      // The proxies retry a 503 (the database down, restarting, out of connections): no stack for it.
      if (isDatabaseUnavailable(error)) {
        deps.log(`control plane http: database unavailable (${(error as { code?: string }).code}): ${error.message}`);
        return jsonError(503, "database_unavailable", "database unavailable, retry", { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) });
      }
      deps.log(`control plane http error: ${error.stack ?? error.message}`);
      return jsonError(500, "internal_error", "internal server error");
    },
  });
}
