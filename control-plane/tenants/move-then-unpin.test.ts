/**
 * A tenant.policy request that drops a tenant's own pin, reviewed while the pin changed nothing (the
 * parent held the same limit), must not survive a moveTenant that the pin made "non-widening": applied
 * after it, it would widen the moved tenant with no review of the widening (in the other order the move
 * is refused FORBIDDEN as widening). The move marks stale every open request setting the policy or
 * status of a tenant in the moved subtree (changes/stale-moved-subtree.ts). (review ry Y3)
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { addTenant } from "../testing/add-tenant.ts";
import { approveChangeAs, proposeChangeAs } from "../testing/change-requests.ts";
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
const propose = (id: string, tenantPolicy: Record<string, unknown>, applyAt?: string) => proposeChangeAs(ann.client, [{ op: "tenant.policy", id, tenantPolicy }], applyAt, "policy");
const approve = (id: string) => approveChangeAs(ben.client, id).catch((e) => `error:${e.code}`);

test("an unpin reviewed under the old parent does not widen the tenant after a move", async () => {
  const org = await addTenant(t.admin, "org");
  const strict = await addTenant(t.admin, "strict", org);
  const loose = await addTenant(t.admin, "loose", org);
  const proj = await addTenant(t.admin, "proj", strict);
  expect(await approve(await propose(strict, { rpm: 100 }))).toBe("applied");
  expect(await approve(await propose(loose, { rpm: 1000 }))).toBe("applied");
  // proj pinned at its parent's 100: moving it under loose would then change nothing.
  expect(await approve(await propose(proj, { rpm: 100 }))).toBe("applied");
  // A request dropping proj's own pin: under strict it changes nothing effective (100 either way).
  // Reviewed and approved now, scheduled to apply in 3 s.
  const unpin = await propose(proj, { rpm: null }, new Date(Date.now() + 3000).toISOString());
  expect(await approve(unpin)).toBe("scheduled");
  // The move is allowed: proj's effective rpm stays 100 (its own pin).
  await t.admin.request(`mutation($id: ID!, $p: ID) { moveTenant(id: $id, parentId: $p) { id } }`, { id: proj, p: loose });
  await Bun.sleep(4000);
  const [cr] = await db`select status, reason from change_requests where id = ${unpin}`;
  const [row] = await db`select rpm::int as rpm, parent_id from tenants where id = ${proj}`;
  // Approved when it widened nothing (strict's 100 above it); after the move it would lift proj to
  // loose's 1000, a widening nobody reviewed: it went stale with the move instead of applying.
  expect(cr!.status).toBe("stale");
  expect(cr!.reason).toContain(`tenant ${proj}`);
  expect(cr!.reason).toContain(`${proj} moved from ${strict} to ${loose}`);
  expect(row).toEqual({ rpm: 100, parent_id: loose });
  const audit = await db`select action, target from audit_log where action in ('tenant.move', 'change.stale') order by id`;
  expect(audit.slice(-2)).toEqual([{ action: "tenant.move", target: proj }, { action: "change.stale", target: unpin }]);
}, 20_000);

test("a move leaves open requests for tenants outside the moved subtree", async () => {
  const org = await addTenant(t.admin, "org2");
  const a = await addTenant(t.admin, "a", org);
  const b = await addTenant(t.admin, "b", org);
  const child = await addTenant(t.admin, "child", a);
  const leaf = await addTenant(t.admin, "leaf", child);
  const other = await propose(b, { rpm: 10 });
  const below = await propose(leaf, { rpm: 10 });
  await t.admin.request(`mutation($id: ID!, $p: ID) { moveTenant(id: $id, parentId: $p) { id } }`, { id: child, p: b });
  const rows = await db`select id, status from change_requests where id in (${other}, ${below}) order by id`;
  expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({ [other]: "pending", [below]: "stale" });
  expect(await approve(other)).toBe("applied");
}, 20_000);
