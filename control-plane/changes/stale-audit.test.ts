/**
 * An open request made stale by another config change is audited as `change.stale` with the reason,
 * by whoever made that change (GOVERNANCE.md, "Changing routing policy" step 4): its targets moved, or
 * its tenant policy no longer fits the tree around it.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { addTenant } from "../testing/add-tenant.ts";

const t = useTestControlPlane();
let s: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let db: postgres.Sql;
let bootstrapId: string;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
  db = t.openSql();
  bootstrapId = (await t.admin.request<{ me: { id: string } }>(`{ me { id } }`)).me.id;
});

const propose = async (operations: unknown[]) =>
  (await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "t", operations } })).proposeChange.id;
const audit = async (id: string) =>
  await db<{ action: string; actor: string; after: { reason?: string } | null }[]>`select action, actor, after from audit_log where target = ${id} order by id`;
const status = async (id: string) => (await db<{ status: string; reason: string }[]>`select status, reason from change_requests where id = ${id}`)[0]!;

test("a request whose target a direct mutation moved goes stale with a change.stale row by that mutation's actor", async () => {
  const cr = await propose([{ op: "price.set", price: { provider: "openai", model: "gpt-4o-mini", inputUsdPerMillion: 9, outputUsdPerMillion: 9 } }]);
  await t.admin.request(`mutation { setPrice(input: { provider: "openai", model: "gpt-4o-mini", inputUsdPerMillion: 1, outputUsdPerMillion: 1 }) { model } }`);
  expect((await status(cr)).status).toBe("stale");
  const rows = await audit(cr);
  expect(rows.map((r) => r.action)).toEqual(["change.propose", "change.stale"]);
  expect(rows[1]!.actor).toBe(bootstrapId);
  expect(rows[1]!.after!.reason).toBe((await status(cr)).reason);
});

test("a child's tenant policy left wider by its parent's applied narrowing is audited stale with the reason, by the applying approver", async () => {
  const child = await addTenant(t.admin, "child", s.tenantId);
  const widen = await propose([{ op: "tenant.policy", id: child, tenantPolicy: { rpm: 100 } }]);
  const narrow = await propose([{ op: "tenant.policy", id: s.tenantId, tenantPolicy: { rpm: 50 } }]);
  expect((await ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: narrow })).approveChange.status).toBe("applied");
  expect((await status(widen)).status).toBe("stale");
  const rows = await audit(widen);
  expect(rows.map((r) => r.action)).toEqual(["change.propose", "change.stale"]);
  expect(rows[1]!.actor).toBe(ben.id);
  expect(rows[1]!.after!.reason).toContain("rpm: 100 widens 50");
});
