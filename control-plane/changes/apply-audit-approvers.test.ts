/**
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
