/**
 * The control plane while its database refuses connections (a restart, a failover): GraphQL answered a
 * non-GraphQL 500 {"error":{"code":"internal_error"}} (authentication ran outside Apollo) and the
 * proxies' endpoints a bare 500 with a stack in the log. GraphQL now answers 503 in its own shape with
 * SERVICE_UNAVAILABLE, the internal endpoints 503 database_unavailable, both with Retry-After, and
 * /health 503.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { GraphQLError } from "graphql";
import { DEFAULT_BODY_READ_TIMEOUT_MS } from "../../shared/http/read-body-bytes.ts";
import { LEASES_PATH } from "../../shared/leases/lease-wire.ts";
import { SNAPSHOT_PATH_PREFIX, USAGE_PATH } from "../../shared/internal-api.ts";
import { generateSigningKey } from "../../shared/snapshot/sign.ts";
import { freePort } from "../../test/support/ports.ts";
import type { ApolloServer } from "@apollo/server";
import { startApollo } from "../graphql/apollo.ts";
import { buildControlPlaneSchema } from "../graphql/build-schema.ts";
import type { AppDeps, GraphQLContext } from "../graphql/context.ts";
import { makeFormatError } from "../graphql/errors.ts";
import { startHttpServer } from "./server.ts";

const logs: string[] = [];
let sql: postgres.Sql;
let apollo: ApolloServer<GraphQLContext>;
let server: ReturnType<typeof startHttpServer>;
const url = (path: string) => new URL(path, `http://127.0.0.1:${server.port}`);

beforeAll(async () => {
  // A pool on a port where connects are refused: the database is down.
  sql = postgres(`postgres://postgres@127.0.0.1:${freePort()}/down`, { max: 2, connect_timeout: 5, onnotice: () => {} });
  const deps: AppDeps = {
    sql,
    reports: sql,
    reportStatementTimeoutMs: 30_000,
    signingKey: (await generateSigningKey("k1")).key,
    tokenSecret: crypto.getRandomValues(new Uint8Array(32)),
    governance: { requiredApprovals: 1, adminJwtMaxLineageHours: 768 },
    trustForwardedFor: false,
    allowPlaintextVendorUrls: false,
    log: (line) => logs.push(line),
  };
  apollo = await startApollo(await buildControlPlaneSchema(), deps.log);
  server = startHttpServer({ port: 0, host: "127.0.0.1", apollo, deps, adminDeps: deps, jwks: { keys: [] }, bodyReadTimeoutMs: DEFAULT_BODY_READ_TIMEOUT_MS });
});
afterAll(async () => {
  await server.stop(true);
  await apollo.stop();
  await sql.end({ timeout: 0 });
});

test("GraphQL answers 503 in GraphQL's shape with SERVICE_UNAVAILABLE and Retry-After", async () => {
  const response = await fetch(url("/graphql"), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer admtok_some_token" },
    body: JSON.stringify({ query: "{ tenants { items { id } } }" }),
  });
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("5");
  expect(await response.json()).toEqual({ errors: [{ message: "database unavailable", extensions: { code: "SERVICE_UNAVAILABLE" } }] });
});

test("the proxies' endpoints answer 503 database_unavailable with Retry-After, and no stack is logged", async () => {
  const auth = { authorization: "Bearer rgt_some_token", "content-type": "application/json" };
  const answers = await Promise.all([
    fetch(url(SNAPSHOT_PATH_PREFIX + "eu"), { headers: auth }),
    fetch(url(USAGE_PATH), { method: "POST", headers: auth, body: JSON.stringify({ events: [] }) }),
    fetch(url(LEASES_PATH), { method: "POST", headers: auth, body: JSON.stringify({ leases: [] }) }),
  ]);
  for (const response of answers) {
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect((await response.json()).error.code).toBe("database_unavailable");
  }
  expect(logs.filter((l) => l.includes("    at "))).toEqual([]);
});

test("/health answers 503", async () => {
  const response = await fetch(url("/health"));
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({ ok: false, database: "unreachable" });
});

test("a resolver that loses the database answers SERVICE_UNAVAILABLE, not INTERNAL_SERVER_ERROR", () => {
  const lost = Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" });
  const error = new GraphQLError(lost.message, { path: ["tenants"], originalError: lost });
  const formatted = makeFormatError(() => {})(error.toJSON(), error);
  expect(formatted).toEqual({ message: "database unavailable", path: ["tenants"], extensions: { code: "SERVICE_UNAVAILABLE" } });
});
