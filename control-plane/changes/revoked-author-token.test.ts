/**
 * Revoking a stolen token voids the approvals given with it (GOVERNANCE.md step 3), and the change
 * requests proposed with it: each open one goes stale at once (audited as change.stale), and applying
 * checks again, so one proposed by the thief never applies on one real person's approval, neither at
 * its scheduled time after the revocation nor when approved after it. (Review rf's repro, F3.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { aliasRoute, approveChangeAs, changeRequestState, proposeChangeAs } from "../testing/change-requests.ts";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
let seeded: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
beforeAll(async () => {
  t = await startTestControlPlane({ changeTickMs: 100 });
  seeded = await seedConfig(t.admin);
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
  ben = await principalWith(t.admin, t.cp.url, "ben", [{ role: "approver" }]);
}, 30_000);
afterAll(async () => {
  await t.close();
});

const propose = (who: ActingPrincipal, deploymentIds: string[], applyAt?: string) => proposeChangeAs(who.client, [aliasRoute("chat", deploymentIds)], applyAt);
const status = async (id: string) => (await changeRequestState(t.admin, id)).status;
const revoke = (jti: string) => t.admin.request(`mutation($j: ID!) { revokeToken(jti: $j) { jti } }`, { j: jti });

test("a scheduled request proposed with a token revoked before it falls due does not apply", async () => {
  const id = await propose(ann, [seeded.usDeploymentId], new Date(Date.now() + 2_000).toISOString());
  expect(await approveChangeAs(ben.client, id)).toBe("scheduled");
  await revoke(ann.jti); // ann's token was stolen: the proposal was the thief's
  // Stale at once, before it falls due: a stale request never applies.
  expect(await status(id)).toBe("stale");
});

test("a request proposed with a token revoked since cannot be approved", async () => {
  const cas = await principalWith(t.admin, t.cp.url, "cas", [{ role: "approver" }]);
  const id = await propose(cas, [seeded.euDeploymentId]);
  await revoke(cas.jti);
  expect(await errorCode(approveChangeAs(ben.client, id))).toBe("CONFLICT");
  expect(await status(id)).toBe("stale");
});

test("revoking marks the open requests proposed with the token stale, audited after token.revoke", async () => {
  const dan = await principalWith(t.admin, t.cp.url, "dan", [{ role: "approver" }]);
  const id = await propose(dan, [seeded.usDeploymentId]);
  await revoke(dan.jti);
  const { changeRequest } = await t.admin.request<{ changeRequest: { status: string; reason: string } }>(`query($id: ID!) { changeRequest(id: $id) { status reason } }`, { id });
  expect(changeRequest).toEqual({ status: "stale", reason: `it was proposed with a token revoked since (${dan.jti})` });
  const { auditLog } = await t.admin.request<{ auditLog: { items: { action: string; target: string }[] } }>(`{ auditLog(first: 2) { items { action target } } }`);
  expect(auditLog.items).toEqual([
    { action: "change.stale", target: id },
    { action: "token.revoke", target: dan.jti },
  ]);
});

test("applying checks the author's token itself: one revoked behind the marking's back still refuses", async () => {
  const eve = await principalWith(t.admin, t.cp.url, "eve", [{ role: "approver" }]);
  const id = await propose(eve, [seeded.usDeploymentId]);
  // As a release before the marking would have left it: the token revoked, the request still pending.
  const sql = t.openSql();
  await sql`update issued_tokens set revoked_at = now() where jti = ${eve.jti}`;
  expect(await errorCode(approveChangeAs(ben.client, id))).toBe("CONFLICT");
  expect(await status(id)).toBe("stale");
});
