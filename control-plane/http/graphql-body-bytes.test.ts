/**
 * A GraphQL body must be UTF-8 (RFC 8259 §8.1; GraphQL over HTTP assumes UTF-8 when no charset is
 * given), as on the regions' routes and the proxy: bytes that are not (a name typed in Latin-1, a
 * Windows-1252 export) are refused whole, 400 BAD_REQUEST, instead of each becoming U+FFFD in what is
 * stored, the admin told nothing ("Müller" saved as "M\uFFFDller").
 */
import { expect, test } from "bun:test";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();

const post = (body: Uint8Array<ArrayBuffer>) =>
  fetch(new URL("/graphql", t.cp.url), { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${t.adminToken}` }, body });
const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0)) as Uint8Array<ArrayBuffer>;
const tenantNames = async () => (await t.admin.request<{ tenants: { items: { name: string }[] } }>(`{ tenants { items { name } } }`)).tenants.items.map((i) => i.name);

test("a body with bytes that are not UTF-8 is refused whole as BAD_REQUEST, and nothing is stored", async () => {
  const body = JSON.stringify({ query: `mutation { createTenant(input: { name: "M\u00fcller" }) { id name } }` });
  const response = await post(latin1(body));
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ errors: [{ message: "request body is not valid UTF-8", extensions: { code: "BAD_REQUEST" } }] });
  expect(await tenantNames()).toEqual([]);
});

test("the same body in UTF-8 is served as sent, with or without a byte order mark", async () => {
  const body = JSON.stringify({ query: `mutation($n: String!) { createTenant(input: { name: $n }) { name } }`, variables: { n: "M\u00fcller" } });
  const plain = await post(new TextEncoder().encode(body));
  expect(await plain.json()).toEqual({ data: { createTenant: { name: "M\u00fcller" } } });
  const withBom = await post(new TextEncoder().encode(`\ufeff${body.replace("M\u00fcller", "M\u00fcller 2")}`));
  expect(await withBom.json()).toEqual({ data: { createTenant: { name: "M\u00fcller 2" } } });
});

test("a compressed body (Content-Encoding gzip) is refused as such, 415 naming the coding, not as bytes that are not UTF-8", async () => {
  const body = Bun.gzipSync(JSON.stringify({ query: `mutation { createTenant(input: { name: "zipped" }) { id } }` }));
  const response = await fetch(new URL("/graphql", t.cp.url), {
    method: "POST",
    headers: { "content-type": "application/json", "content-encoding": "gzip", authorization: `Bearer ${t.adminToken}` },
    body,
  });
  expect(response.status).toBe(415);
  // The codings it would take: none (RFC 9110 §15.5.16; RFC 7694 §3).
  expect(response.headers.get("accept-encoding")).toBe("identity");
  const error = ((await response.json()) as { errors: { message: string; extensions: { code: string } }[] }).errors[0]!;
  expect(error.extensions.code).toBe("BAD_REQUEST");
  expect(error.message).toContain("Content-Encoding gzip");
  expect(await tenantNames()).not.toContain("zipped");
  // identity is no coding at all.
  const identity = await fetch(new URL("/graphql", t.cp.url), {
    method: "POST",
    headers: { "content-type": "application/json", "content-encoding": "identity", authorization: `Bearer ${t.adminToken}` },
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  expect(await identity.json()).toEqual({ data: { __typename: "Query" } });
});
