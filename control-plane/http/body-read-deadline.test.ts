/**
 * A POST body must arrive whole within BODY_READ_TIMEOUT_MS of reaching its route, on GraphQL and on
 * the regions' POST routes (usage, leases), as on the proxy (region-proxy/body-read-deadline.test.ts):
 * Bun's idle timer (10 s) restarts at every byte, so a client trickling its body held a socket and a
 * handler for as long as it liked (one stalled for 10 s is dropped by that timer, without an answer;
 * within it, the deadline answers it too). Past the deadline: a 408 in the route's own shape
 * (GraphQL errors with a code; the internal `{ error: { code } }`) and the connection closed.
 * Over real TCP sockets.
 */
import { beforeAll, expect, test } from "bun:test";
import { USAGE_PATH } from "../../shared/internal-api.ts";
import { LEASES_PATH } from "../../shared/leases/lease-wire.ts";
import { timedExchange, type TimedExchange } from "../../test/support/raw-http.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const DEADLINE_MS = 1_000;
const t = useTestControlPlane({ bodyReadTimeoutMs: DEADLINE_MS });
let seed: Seeded;
beforeAll(async () => {
  seed = await seedConfig(t.admin);
}, 30_000);

const head = (path: string, token: string, framing: string) =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`;
const QUERY = JSON.stringify({ query: "{ __typename }" });

/** The 408, at the deadline (not at Bun's 10 s idle timer, or never), with the connection closed; answers the body. */
function expect408(exchange: TimedExchange): any {
  expect(exchange.received).toStartWith("HTTP/1.1 408");
  const [headers, body] = exchange.received.split("\r\n\r\n");
  expect(headers!.toLowerCase()).toContain("connection: close");
  expect(exchange.closed).toBe(true);
  expect(exchange.afterMs).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
  expect(exchange.afterMs).toBeLessThan(DEADLINE_MS + 1_500);
  return JSON.parse(body!);
}

function expectGraphQL408(exchange: TimedExchange) {
  const error = expect408(exchange).errors[0];
  expect(error.extensions.code).toBe("BAD_REQUEST");
  expect(error.message).toContain("1 s");
  expect(error.message).toContain("BODY_READ_TIMEOUT_MS");
}

test("GraphQL: a declared body that stalls mid-way gets a 408 GraphQL error at the deadline and its connection closed", async () => {
  expectGraphQL408(await timedExchange(t.cp.port, head("/graphql", t.adminToken, `Content-Length: ${QUERY.length}`) + QUERY.slice(0, 5), [], 0, 4_000));
}, 10_000);

test("GraphQL: a chunked body trickled a chunk at a time, never finished, gets the 408 too", async () => {
  const pieces = Array.from({ length: 40 }, () => "1\r\n \r\n");
  expectGraphQL408(await timedExchange(t.cp.port, head("/graphql", t.adminToken, "Transfer-Encoding: chunked"), pieces, 100, 4_000));
}, 10_000);

test("usage and leases: a trickled or stalled body gets a 408 request_timeout at the deadline and its connection closed", async () => {
  const usage = await timedExchange(t.cp.port, head(USAGE_PATH, seed.euToken, "Content-Length: 100"), Array.from({ length: 40 }, () => " "), 100, 4_000);
  const leases = await timedExchange(t.cp.port, head(LEASES_PATH, seed.euToken, "Content-Length: 100") + `{"leases":`, [], 0, 4_000);
  for (const exchange of [usage, leases]) {
    const { error } = expect408(exchange);
    expect(error.code).toBe("request_timeout");
    expect(error.message).toContain("BODY_READ_TIMEOUT_MS");
  }
}, 15_000);

test("a body that arrives slowly but within the deadline is served", async () => {
  const pieces = QUERY.match(/.{1,5}/g)!;
  const served = await timedExchange(t.cp.port, head("/graphql", t.adminToken, `Content-Length: ${QUERY.length}\r\nConnection: close`), pieces, 400 / pieces.length, 5_000);
  expect(served.received).toStartWith("HTTP/1.1 200");
  expect(JSON.parse(served.received.split("\r\n\r\n")[1]!)).toEqual({ data: { __typename: "Query" } });
}, 10_000);
