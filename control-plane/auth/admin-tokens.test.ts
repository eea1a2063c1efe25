/** Admin JWTs: issued by admins only, short-lived, revocable; expired, forged and revoked ones are UNAUTHENTICATED. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { SignJWT, UnsecuredJWT } from "jose";
import { adminClient } from "../../infra/local/admin-client.ts";
import { errorCode, principalWith } from "../testing/principals.ts";
import { rawGraphQL, startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";
import { JWT_AUDIENCE, JWT_ISSUER } from "./jwt.ts";
import { TOKEN_SECRET_FILE } from "./token-secret.ts";

let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t.close();
});

const sign = (secret: Uint8Array, claims: { sub: string; jti: string; exp: number; iss?: string; aud?: string }) =>
  new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setIssuer(claims.iss ?? JWT_ISSUER)
    .setAudience(claims.aud ?? JWT_AUDIENCE)
    .setSubject(claims.sub)
    .setJti(claims.jti)
    .setIssuedAt()
    .setExpirationTime(claims.exp)
    .sign(secret);

test("an issued token authenticates its principal with its roles; the secret file is 0600", async () => {
  const viewer = await principalWith(t.admin, t.cp.url, "vera", [{ role: "viewer" }]);
  const { me } = await viewer.client.request<{ me: { id: string; roles: string[]; bootstrap: boolean } }>(`{ me { id roles bootstrap } }`);
  expect(me).toEqual({ id: viewer.id, roles: ["viewer"], bootstrap: false });
  expect(await viewer.client.request(`{ configVersion }`)).toHaveProperty("configVersion");
  // A viewer reads, never writes, and cannot read spend.
  expect(await errorCode(viewer.client.request(`mutation { createTenant(input: { name: "v" }) { id } }`))).toBe("FORBIDDEN");
  const { stat } = await import("node:fs/promises");
  expect((await stat(join(t.dataDir, TOKEN_SECRET_FILE))).mode & 0o777).toBe(0o600);
});

test("expired, forged, wrong-audience, unsigned and revoked tokens are UNAUTHENTICATED", async () => {
  const p = await principalWith(t.admin, t.cp.url, "fred", [{ role: "admin" }]);
  const secret = Buffer.from((await readFile(join(t.dataDir, TOKEN_SECRET_FILE), "utf8")).trim(), "base64url");
  const now = Math.floor(Date.now() / 1000);
  // The right secret and a recorded jti, but expired.
  const expired = await sign(secret, { sub: p.id, jti: p.jti, exp: now - 5 });
  // Signed with another secret.
  const forged = await sign(new TextEncoder().encode("not-the-secret-not-the-secret-00"), { sub: p.id, jti: p.jti, exp: now + 600 });
  // Right secret, a jti the control plane never issued.
  const unrecorded = await sign(secret, { sub: p.id, jti: "jti_never_issued", exp: now + 600 });
  const wrongAudience = await sign(secret, { sub: p.id, jti: p.jti, exp: now + 600, aud: "someone-else" });
  const unsigned = new UnsecuredJWT({}).setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE).setSubject(p.id).setJti(p.jti).setExpirationTime(now + 600).encode();
  const otherSubject = await sign(secret, { sub: "prn_someone_else", jti: p.jti, exp: now + 600 });
  for (const token of [expired, forged, unrecorded, wrongAudience, unsigned, otherSubject, `${p.token}x`]) {
    const { status, json } = await rawGraphQL(t.cp.url, token, JSON.stringify({ query: "{ me { id } }" }));
    expect([status, json.errors[0].extensions.code]).toEqual([401, "UNAUTHENTICATED"]);
  }
  expect(await p.client.request(`{ me { id } }`)).toEqual({ me: { id: p.id } });

  const { revokeToken } = await t.admin.request<{ revokeToken: { jti: string } }>(`mutation($j: ID!) { revokeToken(jti: $j) { jti revokedAt } }`, { j: p.jti });
  expect(revokeToken.jti).toBe(p.jti);
  expect(await errorCode(p.client.request(`{ me { id } }`))).toBe("UNAUTHENTICATED");
});

test("a token past its ttl stops working", async () => {
  const p = await principalWith(t.admin, t.cp.url, "shorty", [{ role: "viewer" }]);
  const { issueToken } = await t.admin.request<{ issueToken: { token: string; expiresAt: string } }>(
    `mutation($i: IssueTokenInput!) { issueToken(input: $i) { token expiresAt } }`,
    { i: { principalId: p.id, ttlSeconds: 3 } },
  );
  const client = adminClient(t.cp.url, issueToken.token);
  // exp is whole seconds, so a 3 s token lives at least 2 s.
  expect(await client.request(`{ me { id } }`)).toEqual({ me: { id: p.id } });
  await Bun.sleep(Math.max(0, Date.parse(issueToken.expiresAt) - Date.now()) + 100);
  expect(await errorCode(client.request(`{ me { id } }`))).toBe("UNAUTHENTICATED");
});

test("only an admin issues tokens for others, ttl at most 3600 s, roles are checked", async () => {
  const approver = await principalWith(t.admin, t.cp.url, "apu", [{ role: "approver" }]);
  // A person renews its own token (self-renewed-tokens.test.ts); another's needs admin.
  expect(await errorCode(approver.client.request(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, { i: { principalId: (await principalWith(t.admin, t.cp.url, "apv", [])).id, ttlSeconds: 60 } }))).toBe("FORBIDDEN");
  expect(await errorCode(approver.client.request(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, { i: { principalId: approver.id, ttlSeconds: 3601 } }))).toBe("BAD_USER_INPUT");
  expect(await errorCode(t.admin.request(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, { i: { principalId: approver.id, ttlSeconds: 3601 } }))).toBe("BAD_USER_INPUT");
  expect(await errorCode(t.admin.request(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, { i: { principalId: "prn_missing", ttlSeconds: 60 } }))).toBe("NOT_FOUND");
  expect(await errorCode(t.admin.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: approver.id, role: "tenant_admin" } }))).toBe("BAD_USER_INPUT");
  expect(await errorCode(t.admin.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: approver.id, role: "overlord" } }))).toBe("BAD_USER_INPUT");
  // An admin principal (not the bootstrap token) may use the direct path too.
  const admin = await principalWith(t.admin, t.cp.url, "ada", [{ role: "admin" }]);
  const { createTenant } = await admin.client.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "by-ada" }) { id } }`);
  expect(createTenant.id).toStartWith("ten_");
  const { principals } = await adminClient(t.cp.url, t.adminToken).request<{ principals: { items: { name: string; roles: { role: string }[] }[] } }>(
    `{ principals(first: 100) { items { name roles { role } } } }`,
  );
  expect(principals.items.find((p) => p.name === "ada")!.roles).toEqual([{ role: "admin" }]);
});
