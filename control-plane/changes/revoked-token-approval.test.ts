/**
 * A scheduled change whose only approval was given with a token revoked since (the response to a
 * stolen token) must not apply when it falls due; a token that merely expired still counts (tokens live
 * an hour, schedules up to a year). A void approval stands in no one's way. (Reviewer's repro, extended.)
 * The requests proposed with a revoked token go too (GOVERNANCE.md step 3): each open one is stale at
 * once (audited as change.stale), and applying checks again, so one proposed by the thief never applies
 * on one real person's approval, neither at its scheduled time nor when approved after. (Review rf, F3.)
 * These run last: the first revokes ann's token.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { adminClient } from "../../infra/local/admin-client.ts";
import { aliasRoute, approveChangeAs, changeRequestSettled, changeRequestState, proposeChangeAs } from "../testing/change-requests.ts";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
let seeded: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
/** Approves in the tests of requests proposed with a revoked token (the tests before them revoke ben's). */
let ivy: ActingPrincipal;
beforeAll(async () => {
  t = await startTestControlPlane({ changeTickMs: 100 });
  seeded = await seedConfig(t.admin);
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
  ben = await principalWith(t.admin, t.cp.url, "ben", [{ role: "approver" }]);
  ivy = await principalWith(t.admin, t.cp.url, "ivy", [{ role: "approver" }]);
}, 30_000);
afterAll(async () => {
  await t.close();
});

const propose = (who: ActingPrincipal, deploymentIds: string[], applyAt?: string) => proposeChangeAs(who.client, [aliasRoute("chat", deploymentIds)], applyAt);
const approve = (who: ActingPrincipal, id: string) => approveChangeAs(who.client, id);
/** The request once its time has come and it left scheduled. */
const settled = (id: string) => changeRequestSettled(t.admin, id);
const status = async (id: string) => (await changeRequestState(t.admin, id)).status;
const revoke = (jti: string) => t.admin.request(`mutation($j: ID!) { revokeToken(jti: $j) { jti } }`, { j: jti });

test("an approval given with a token revoked before the request applies does not count", async () => {
  const id = await propose(ann, [seeded.usDeploymentId], new Date(Date.now() + 2_000).toISOString());
  expect(await approve(ben, id)).toBe("scheduled");
  // Ben's token turns out to be stolen: revoked at once.
  await revoke(ben.jti);
  const after = await settled(id);
  expect(after.status).toBe("stale");
  expect(after.reason).toContain("0 valid, 1 required");
}, 15_000);

test("an approval whose token merely expired still counts when the request falls due", async () => {
  // Proposed first, due well after the approver's 5 s token expires: the token is issued and used at once,
  // and the test waits to see it refused before the request falls due (a loaded machine may take seconds
  // between steps; a token issued before the proposal could expire before it was used). A token's issue
  // time is rounded down to the second (jwt.ts), so a 5 s token lives 4-5 s.
  const id = await propose(ann, [seeded.euDeploymentId], new Date(Date.now() + 15_000).toISOString());
  const cas = await principalWith(t.admin, t.cp.url, "cas", [{ role: "approver" }], 5);
  expect(await approve(cas, id)).toBe("scheduled");
  // The token's own end, seen from the API: refused as any expired token is (null while it is accepted).
  const refusedAs = () => errorCode(cas.client.request(`{ __typename }`)).catch(() => null);
  const expiredBy = Date.now() + 9_000;
  while (Date.now() < expiredBy && (await refusedAs()) !== "UNAUTHENTICATED") await Bun.sleep(200);
  expect(await refusedAs()).toBe("UNAUTHENTICATED");
  expect(await status(id)).toBe("scheduled");
  expect((await changeRequestSettled(t.admin, id, 20_000)).status).toBe("applied");
}, 30_000);

test("a void approval stands in no one's way: one per person counts the approvals that stand", async () => {
  const dan = await principalWith(t.admin, t.cp.url, "dan", [{ role: "admin" }]);
  // A principal Dan set up is Dan's side of "one per person"; he sets her up in another session, as a
  // token minted with the one revoked below would be revoked with it (auth/revoke-minted-tokens.ts).
  const { issueToken } = await t.admin.request<{ issueToken: { token: string } }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token } }`, {
    i: { principalId: dan.id, ttlSeconds: 600 },
  });
  const eve = await principalWith(adminClient(t.cp.url, issueToken.token), t.cp.url, "eve", [{ role: "approver" }]);
  const id = await propose(ann, [seeded.usDeploymentId, seeded.euDeploymentId], new Date(Date.now() + 2_500).toISOString());
  expect(await approve(dan, id)).toBe("scheduled");
  await revoke(dan.jti); // stolen: what was approved with it was not Dan's
  // The void approval does not take Eve's place: accepted, and counted when the request falls due.
  expect(await approve(eve, id)).toBe("scheduled");
  expect((await settled(id)).status).toBe("applied");
}, 15_000);

test("a scheduled request proposed with a token revoked before it falls due does not apply", async () => {
  const id = await propose(ann, [seeded.usDeploymentId], new Date(Date.now() + 2_000).toISOString());
  expect(await approveChangeAs(ivy.client, id)).toBe("scheduled");
  await revoke(ann.jti); // ann's token was stolen: the proposal was the thief's
  // Stale at once, before it falls due: a stale request never applies.
  expect(await status(id)).toBe("stale");
});

test("a request proposed with a token revoked since cannot be approved", async () => {
  const fay = await principalWith(t.admin, t.cp.url, "fay", [{ role: "approver" }]);
  const id = await propose(fay, [seeded.euDeploymentId]);
  await revoke(fay.jti);
  expect(await errorCode(approveChangeAs(ivy.client, id))).toBe("CONFLICT");
  expect(await status(id)).toBe("stale");
});

test("revoking marks the open requests proposed with the token stale, audited after token.revoke", async () => {
  const gus = await principalWith(t.admin, t.cp.url, "gus", [{ role: "approver" }]);
  const id = await propose(gus, [seeded.usDeploymentId]);
  await revoke(gus.jti);
  const { changeRequest } = await t.admin.request<{ changeRequest: { status: string; reason: string } }>(`query($id: ID!) { changeRequest(id: $id) { status reason } }`, { id });
  expect(changeRequest).toEqual({ status: "stale", reason: `it was proposed with a token revoked since (${gus.jti})` });
  const { auditLog } = await t.admin.request<{ auditLog: { items: { action: string; target: string }[] } }>(`{ auditLog(first: 2) { items { action target } } }`);
  expect(auditLog.items).toEqual([
    { action: "change.stale", target: id },
    { action: "token.revoke", target: gus.jti },
  ]);
});

test("applying checks the author's token itself: one revoked behind the marking's back still refuses", async () => {
  const hal = await principalWith(t.admin, t.cp.url, "hal", [{ role: "approver" }]);
  const id = await propose(hal, [seeded.usDeploymentId]);
  // As a release before the marking would have left it: the token revoked, the request still pending.
  const sql = t.openSql();
  await sql`update issued_tokens set revoked_at = now() where jti = ${hal.jti}`;
  expect(await errorCode(approveChangeAs(ivy.client, id))).toBe("CONFLICT");
  expect(await status(id)).toBe("stale");
});
