/**
 * issueToken lets any admin mint a token in another principal's name. Whatever was done with it was
 * audited with the impersonated principal as actor and no token id, so the audit log could not tell the
 * impersonated person's own acts from the issuer's (a break-glass kill switch, a reject). Every row now
 * names the token (tokenId) and, when it is not the actor, the token's issuer (issuedBy); both are
 * hashed only when set, so rows from before keep their hashes and the chain verifies.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { adminClient } from "../../infra/local/admin-client.ts";
import { AUDIT_GENESIS_HASH, auditHash } from "./audit-hash.ts";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
let seeded: Seeded;
let xav: ActingPrincipal; // an admin
let hal: ActingPrincipal; // another admin, who does nothing in this test
beforeAll(async () => {
  t = await startTestControlPlane();
  seeded = await seedConfig(t.admin);
  xav = await principalWith(t.admin, t.cp.url, "xav", [{ role: "admin" }]);
  hal = await principalWith(t.admin, t.cp.url, "hal", [{ role: "admin" }]);
}, 30_000);
afterAll(async () => {
  await t.close();
});

test("a break-glass kill switch pulled with an impersonation token is traceable to whoever pulled it", async () => {
  const { issueToken } = await xav.client.request<{ issueToken: { token: string; jti: string } }>(
    `mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti } }`,
    { i: { principalId: hal.id, ttlSeconds: 600 } },
  );
  const asHal = adminClient(t.cp.url, issueToken.token);
  await asHal.request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "incident") { affected } }`, { t: { kind: "deployment", id: seeded.usDeploymentId } });
  const { auditLog } = await t.admin.request<{ auditLog: { items: any[] } }>(`{ auditLog(action: "killswitch.deployment", first: 10) { items { actor action target before after breakGlass tokenId issuedBy } } }`);
  const row = auditLog.items[0];
  expect(row.breakGlass).toBe(true);
  // Hal's own token and xav's token in hal's name leave identical rows: nothing names xav or the token used.
  const text = JSON.stringify(row);
  expect({ actor: row.actor, namesIssuerOrToken: text.includes(xav.id) || text.includes(issueToken.jti) }).toEqual({ actor: row.actor, namesIssuerOrToken: true });
  expect({ actor: row.actor, tokenId: row.tokenId, issuedBy: row.issuedBy }).toEqual({ actor: hal.id, tokenId: issueToken.jti, issuedBy: xav.id });
  const { verifyAuditChain } = await t.admin.request<{ verifyAuditChain: { ok: boolean } }>(`{ verifyAuditChain { ok } }`);
  expect(verifyAuditChain.ok).toBe(true);
});

test("a principal acting with a token it issued itself is named by the token only; the bootstrap token by neither; a token issued by another names its issuer", async () => {
  const { issueToken } = await xav.client.request<{ issueToken: { token: string; jti: string } }>(
    `mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti } }`,
    { i: { principalId: xav.id, ttlSeconds: 600 } },
  );
  await adminClient(t.cp.url, issueToken.token).request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "own") { affected } }`, { t: { kind: "deployment", id: seeded.euDeploymentId } });
  const { auditLog } = await t.admin.request<{ auditLog: { items: any[] } }>(`{ auditLog(action: "killswitch.deployment", first: 1) { items { actor tokenId issuedBy } } }`);
  expect(auditLog.items[0]).toEqual({ actor: xav.id, tokenId: issueToken.jti, issuedBy: null });
  const { auditLog: own } = await t.admin.request<{ auditLog: { items: any[] } }>(`{ auditLog(action: "token.issue", first: 1) { items { actor tokenId issuedBy } } }`);
  // xav's own first token was issued by the bootstrap admin: named as such.
  expect(own.items[0]).toEqual({ actor: xav.id, tokenId: xav.jti, issuedBy: expect.stringMatching(/^adm_/) });
  const { auditLog: boot } = await t.admin.request<{ auditLog: { items: any[] } }>(`{ auditLog(action: "principal.create", target: "${hal.id}", first: 1) { items { actor tokenId issuedBy } } }`);
  expect(boot.items[0]).toEqual({ actor: expect.stringMatching(/^adm_/), tokenId: null, issuedBy: null });
});

test("an approval given with an impersonation token names the token and its issuer", async () => {
  const ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
  const { proposeChange } = await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "t", operations: [{ op: "price.set", price: { provider: "openai", model: "audit-model", inputUsdPerMillion: 1, outputUsdPerMillion: 2 } }] },
  });
  const { issueToken } = await xav.client.request<{ issueToken: { token: string; jti: string } }>(
    `mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti } }`,
    { i: { principalId: hal.id, ttlSeconds: 600 } },
  );
  await adminClient(t.cp.url, issueToken.token).request(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeChange.id });
  const { auditLog } = await t.admin.request<{ auditLog: { items: any[] } }>(`{ auditLog(action: "change.approve", target: "${proposeChange.id}", first: 1) { items { actor tokenId issuedBy } } }`);
  expect(auditLog.items[0]).toEqual({ actor: hal.id, tokenId: issueToken.jti, issuedBy: xav.id });
});

test("rows without a token hash as before the token was recorded, so older rows still verify", () => {
  const content = { at: "2024-01-01T00:00:00.000Z", actor: "adm_x", action: "a", target: "t", before: null, after: { n: 1 }, clientAddress: "10.0.0.1", breakGlass: false };
  expect(auditHash(AUDIT_GENESIS_HASH, { ...content, tokenId: null, issuedBy: null })).toBe(auditHash(AUDIT_GENESIS_HASH, content));
  expect(auditHash(AUDIT_GENESIS_HASH, { ...content, tokenId: "jti_1" })).not.toBe(auditHash(AUDIT_GENESIS_HASH, content));
  expect(auditHash(AUDIT_GENESIS_HASH, { ...content, tokenId: "jti_1", issuedBy: "prn_a" })).not.toBe(auditHash(AUDIT_GENESIS_HASH, { ...content, tokenId: "jti_1" }));
});
