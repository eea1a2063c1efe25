/**
 * The audit rows of an applied change request.
 *
 * auditLog(target:) finds the change requests that changed a target: their propose, proposeRollback
 * and apply rows are targeted at the request's id, and what they change stood only inside `after.diff`,
 * so "who changed alias chat" could not be asked through the API (review audit's finding 4). A target
 * now also matches a row whose diff names it. (Runs first: the next test revokes ben's token.)
 *
 * The change.apply audit row names as approvers only the approvals that counted: one given with a token
 * revoked since (the answer to a stolen token) is void and listed apart, under notCounted, so the log
 * never names as approver of the applied change a principal whose approval was void. (Review rf's
 * repro, F5.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { aliasRoute, approveChangeAs, changeRequestSettled, proposeChangeAs } from "../testing/change-requests.ts";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
let s: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let cas: ActingPrincipal;
beforeAll(async () => {
  t = await startTestControlPlane({ changeTickMs: 100 });
  s = await seedConfig(t.admin);
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
  ben = await principalWith(t.admin, t.cp.url, "ben", [{ role: "approver" }]);
  cas = await principalWith(t.admin, t.cp.url, "cas", [{ role: "approver" }]);
}, 30_000);
afterAll(async () => {
  await t.close();
});

const actionsFor = async (target: string) => {
  const { auditLog } = await t.admin.request<{ auditLog: { items: { action: string; target: string }[] } }>(
    `query($t: String!) { auditLog(target: $t, first: 50) { items { action target } } }`,
    { t: target },
  );
  return auditLog.items;
};

test("a target names the change requests that changed it, as well as its own rows", async () => {
  // The chain reordered (the next test routes chat to us alone: each must change something).
  const id = await proposeChangeAs(ann.client, [aliasRoute("chat", [s.usDeploymentId, s.euDeploymentId])]);
  await approveChangeAs(ben.client, id);
  if ((await changeRequestSettled(t.admin, id, 1_000).catch(() => null))?.status !== "applied") await approveChangeAs(cas.client, id);
  expect((await changeRequestSettled(t.admin, id)).status).toBe("applied");
  const rows = await actionsFor("chat");
  expect(rows.filter((r) => r.target === id).map((r) => r.action).sort()).toEqual(["change.apply", "change.propose"]);
  // The request's own id still finds its rows (approvals included), and an id no diff names finds none of them.
  expect((await actionsFor(id)).map((r) => r.action)).toContain("change.approve");
  expect((await actionsFor("no-such-alias")).length).toBe(0);
}, 20_000);

test("change.apply names only the approvals that counted", async () => {
  const id = await proposeChangeAs(ann.client, [aliasRoute("chat", [s.usDeploymentId])], new Date(Date.now() + 2_000).toISOString());
  await approveChangeAs(ben.client, id);
  await t.admin.request(`mutation($j: ID!) { revokeToken(jti: $j) { jti } }`, { j: ben.jti }); // ben's token was stolen
  await approveChangeAs(cas.client, id);
  expect((await changeRequestSettled(t.admin, id)).status).toBe("applied");
  const { auditLog } = await t.admin.request<{ auditLog: { items: { after: { approvals: string[]; notCounted: string[] } }[] } }>(
    `query($t: String!) { auditLog(action: "change.apply", target: $t) { items { after } } }`,
    { t: id },
  );
  expect(auditLog.items).toHaveLength(1);
  expect(auditLog.items[0]!.after.approvals).toEqual([cas.id]);
  expect(auditLog.items[0]!.after.notCounted).toEqual([ben.id]);
}, 15_000);
