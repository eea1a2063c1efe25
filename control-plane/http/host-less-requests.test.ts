/**
 * Requests without a usable Host (HTTP/1.0 with no Host, which RFC 9112 allows and HAProxy's default
 * `option httpchk` sends; an empty Host) carry a relative URL ("/health"): the control plane routes
 * them by that path like any other, instead of failing to parse it into a 500.
 */
import { expect, test } from "bun:test";
import { JWKS_PATH } from "../../shared/internal-api.ts";
import { rawExchange } from "../../test/support/raw-http.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
const statusOf = (answer: string) => answer.slice(0, 12);
const bodyOf = (answer: string) => answer.slice(answer.indexOf("\r\n\r\n") + 4);

test("GET /health and the JWKS over HTTP/1.0 without Host are answered", async () => {
  const health = await rawExchange(t.cp.port, "GET /health HTTP/1.0\r\n\r\n");
  expect(statusOf(health)).toBe("HTTP/1.1 200");
  expect(JSON.parse(bodyOf(health))).toEqual({ ok: true });
  const jwks = await rawExchange(t.cp.port, `GET ${JWKS_PATH} HTTP/1.0\r\n\r\n`);
  expect(statusOf(jwks)).toBe("HTTP/1.1 200");
  expect(JSON.parse(bodyOf(jwks)).keys.length).toBeGreaterThan(0);
});

test("a GraphQL query over HTTP/1.1 with an empty Host is answered", async () => {
  const body = JSON.stringify({ query: "{ __typename }" });
  const answer = await rawExchange(
    t.cp.port,
    `POST /graphql HTTP/1.1\r\nHost: \r\nAuthorization: Bearer ${t.adminToken}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
  expect(statusOf(answer)).toBe("HTTP/1.1 200");
  expect(JSON.parse(bodyOf(answer))).toEqual({ data: { __typename: "Query" } });
});

test("an unknown path without Host is a 404, not a 500", async () => {
  expect(statusOf(await rawExchange(t.cp.port, "GET /nothing-here HTTP/1.0\r\n\r\n"))).toBe("HTTP/1.1 404");
  expect(t.logs.some((line) => line.includes("internal"))).toBe(false);
});
