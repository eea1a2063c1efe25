/**
 * A scheduled change whose only approval was given with a token revoked since (the response to a
 * stolen token) must not apply when it falls due; a token that merely expired still counts (tokens live
 * an hour, schedules up to a year). A void approval stands in no one's way. (Reviewer's repro, extended.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { aliasRoute, approveChangeAs, changeRequestSettled, proposeChangeAs } from "../testing/change-requests.ts";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
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
const approve = (who: ActingPrincipal, id: string) => approveChangeAs(who.client, id);
/** The request once its time has come and it left scheduled. */
const settled = (id: string) => changeRequestSettled(t.admin, id);
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
  const cas = await principalWith(t.admin, t.cp.url, "cas", [{ role: "approver" }], 1);
  const id = await propose(ann, [seeded.euDeploymentId], new Date(Date.now() + 2_500).toISOString());
  expect(await approve(cas, id)).toBe("scheduled");
  expect((await settled(id)).status).toBe("applied");
}, 15_000);

test("a void approval stands in no one's way: one per person counts the approvals that stand", async () => {
  const dan = await principalWith(t.admin, t.cp.url, "dan", [{ role: "admin" }]);
  // A principal Dan set up is Dan's side of "one per person".
  const eve = await principalWith(dan.client, t.cp.url, "eve", [{ role: "approver" }]);
  const id = await propose(ann, [seeded.usDeploymentId, seeded.euDeploymentId], new Date(Date.now() + 2_500).toISOString());
  expect(await approve(dan, id)).toBe("scheduled");
  await revoke(dan.jti); // stolen: what was approved with it was not Dan's
  // The void approval does not take Eve's place: accepted, and counted when the request falls due.
  expect(await approve(eve, id)).toBe("scheduled");
  expect((await settled(id)).status).toBe("applied");
}, 15_000);
