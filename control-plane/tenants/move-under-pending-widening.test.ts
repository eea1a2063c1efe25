/**
 * A tenant.policy widening (or a tenant.enable) of a tenant that becomes an ancestor of a moved tenant,
 * reviewed while the moved tenant was not under it, must not survive the move: applied after it, it
 * would widen the moved subtree with no review (in the other order the move is refused FORBIDDEN as
 * widening). The move marks such requests stale; one that only narrows the new ancestor stays open
 * (move-then-unpin.test.ts). (changes/stale-moved-subtree.ts; review fr2, twin of ry Y3)
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { addTenant } from "../testing/add-tenant.ts";
import { approveChangeAs, changeRequestSettled, proposeChangeAs } from "../testing/change-requests.ts";
import { twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane({ changeTickMs: 100 });
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let db: postgres.Sql;
beforeAll(async () => {
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
  db = t.openSql();
}, 20_000);
const propose = (operations: unknown[], applyAt?: string) => proposeChangeAs(ann.client, operations, applyAt, "policy");
const policy = (id: string, tenantPolicy: Record<string, unknown>) => ({ op: "tenant.policy", id, tenantPolicy });
const approve = (id: string) => approveChangeAs(ben.client, id).catch((e) => `error:${e.code}`);
const move = (id: string, parentId: string) => t.admin.request(`mutation($id: ID!, $p: ID) { moveTenant(id: $id, parentId: $p) { id } }`, { id, p: parentId });
const inThreeSeconds = () => new Date(Date.now() + 3000).toISOString();

test("a widening of the new parent reviewed before the move goes stale with it", async () => {
  const org = await addTenant(t.admin, "org");
  const strict = await addTenant(t.admin, "strict", org);
  const loose = await addTenant(t.admin, "loose", org);
  const proj = await addTenant(t.admin, "proj", strict);
  expect(await approve(await propose([policy(strict, { rpm: 100 })]))).toBe("applied");
  expect(await approve(await propose([policy(loose, { rpm: 100 })]))).toBe("applied");
  // loose's widening, reviewed for loose's subtree as it is (proj not in it), scheduled.
  const widen = await propose([policy(loose, { rpm: 1000 })], inThreeSeconds());
  expect(await approve(widen)).toBe("scheduled");
  // Allowed: proj stays at 100 under loose.
  await move(proj, loose);
  const { status, reason } = await changeRequestSettled(t.admin, widen);
  expect(status).toBe("stale");
  expect(reason).toContain(`tenant ${loose} (rpm 100 → 1000)`);
  expect(reason).toContain(`${proj} moved from ${strict} to ${loose}`);
  const [parent] = await db`select rpm::int as rpm from tenants where id = ${loose}`;
  expect(parent!.rpm).toBe(100);
  const audit = await db`select action, target from audit_log where action in ('tenant.move', 'change.stale') order by id`;
  expect(audit.slice(-2)).toEqual([{ action: "tenant.move", target: proj }, { action: "change.stale", target: widen }]);
}, 30_000);

test("a widening of an ancestor the moved tenant keeps goes stale too; a narrowing of the new parent stays open", async () => {
  // org holds rpm 100; strict pins 100 too, so org's widening changed nothing for proj under strict.
  const org = await addTenant(t.admin, "org2");
  const strict = await addTenant(t.admin, "strict2", org);
  const loose = await addTenant(t.admin, "loose2", org);
  const proj = await addTenant(t.admin, "proj2", strict);
  expect(await approve(await propose([policy(org, { rpm: 100 }), policy(strict, { rpm: 100 })]))).toBe("applied");
  const widenOrg = await propose([policy(org, { rpm: 1000 })]);
  const narrowLoose = await propose([policy(loose, { tpm: 5000 })]);
  await move(proj, loose);
  const rows = await db`select id, status from change_requests where id in (${widenOrg}, ${narrowLoose})`;
  expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({ [widenOrg]: "stale", [narrowLoose]: "pending" });
  expect(await approve(narrowLoose)).toBe("applied");
}, 30_000);

test("a tenant.enable of a disabled new parent, proposed before the move, goes stale with it", async () => {
  const org = await addTenant(t.admin, "org3");
  const off = await addTenant(t.admin, "off3", org);
  const proj = await addTenant(t.admin, "proj3", org);
  await t.admin.request(`mutation($t: KillSwitchTarget!, $r: String!) { killSwitch(target: $t, reason: $r) { affected } }`, { t: { kind: "tenant", id: off }, r: "incident" });
  const enable = await propose([{ op: "tenant.enable", id: off }]);
  // Moving under a disabled tenant narrows proj: allowed.
  await move(proj, off);
  const [cr] = await db`select status, reason from change_requests where id = ${enable}`;
  expect(cr!.status).toBe("stale");
  expect(cr!.reason).toContain(`tenant ${off} (disabled → active)`);
  expect(await approve(enable)).toBe("error:CONFLICT");
}, 30_000);
