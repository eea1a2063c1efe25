/**
 * An approval and the apply it triggers are one outcome: a request that no longer fits the
 * configuration is refused and goes stale (audited with the reason), never left `approved` with an
 * approval and a `change.approve` row behind it; an approve that answers CONFLICT wrote no approval.
 * A scheduled request whose approvals stopped counting goes stale once instead of being retried on
 * every tick.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { holdConfigLock } from "../testing/hold-config-lock.ts";
import { errorCode, twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { addTenant } from "../testing/add-tenant.ts";

const t = useTestControlPlane({ changeTickMs: 100 });
let s: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let db: postgres.Sql;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
  db = t.openSql(2);
});

const propose = async (operations: unknown[], applyAt?: string) =>
  (await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, { i: { description: "t", operations, applyAt } }))
    .proposeChange.id;
const approve = (id: string) => ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id });
const request = async (id: string) => (await db<{ status: string; reason: string | null }[]>`select status, reason from change_requests where id = ${id}`)[0]!;
const approvals = async (id: string) => (await db`select approver from change_approvals where change_id = ${id}`).length;
const audit = async (id: string) => (await db<{ action: string; after: any }[]>`select action, after from audit_log where target = ${id} order by id`).map((r) => r.action);

test("a child's policy left wider by its parent's narrowing goes stale when the parent applies; approving it writes nothing", async () => {
  const child = await addTenant(t.admin, "child-a", s.tenantId);
  const widen = await propose([{ op: "tenant.policy", id: child, tenantPolicy: { rpm: 100 } }]);
  const narrow = await propose([{ op: "tenant.policy", id: s.tenantId, tenantPolicy: { rpm: 50 } }]);
  expect((await approve(narrow)).approveChange.status).toBe("applied");
  const after = await request(widen);
  expect(after.status).toBe("stale");
  expect(after.reason).toContain("rpm: 100 widens 50");
  expect(await errorCode(approve(widen))).toBe("CONFLICT");
  expect(await approvals(widen)).toBe(0);
  expect(await audit(widen)).toEqual(["change.propose", "change.stale", "refused.approveChange"]);
});

test("approving a request the tree moved under (outside the request flow) refuses it: stale with the reason audited, no approval", async () => {
  const child = await addTenant(t.admin, "child-b", s.tenantId);
  const cr = await propose([{ op: "tenant.policy", id: child, tenantPolicy: { tpm: 2000 } }]);
  // What an older release or a manual fix could leave: the parent narrowed without the request noticing.
  await db`update tenants set tpm = 1000 where id = ${s.tenantId}`;
  const answer = (await ben.client.request(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: cr }).catch((e) => e)) as { code?: string; message: string };
  expect(answer.code).toBe("CONFLICT");
  expect(answer.message).toContain("tpm: 2000 widens 1000");
  expect(await request(cr)).toMatchObject({ status: "stale" });
  expect(await approvals(cr)).toBe(0);
  expect(await audit(cr)).toEqual(["change.propose", "change.stale", "refused.approveChange"]);
  const [stale] = await db<{ after: { reason: string } }[]>`select after from audit_log where target = ${cr} and action = 'change.stale'`;
  expect(stale!.after.reason).toContain("tpm: 2000 widens 1000");
  const { changeRequests } = await t.admin.request<any>(`{ changeRequests(status: "approved") { items { id } } }`);
  expect(changeRequests.items).toEqual([]);
  await db`update tenants set tpm = null where id = ${s.tenantId}`;
});

test("approve racing reject: the approve that wins applies; the loser is refused and wrote nothing", async () => {
  const cr = await propose([{ op: "price.set", price: { provider: "openai", model: "race-model", inputUsdPerMillion: 1, outputUsdPerMillion: 2 } }]);
  const waiting = async () => Number((await db`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`)[0]!.n);
  const until = async (n: number) => {
    for (const deadline = Date.now() + 5000; (await waiting()) < n && Date.now() < deadline; ) await Bun.sleep(10);
    expect(await waiting()).toBe(n);
  };
  // Holding the config lock queues the approve first and the reject behind it.
  const release = await holdConfigLock(t.db.url);
  const approving = approve(cr).catch((e) => e);
  await until(1);
  const rejecting = ann.client.request(`mutation($id: ID!) { rejectChange(id: $id, reason: "no") { status } }`, { id: cr }).catch((e) => e);
  await until(2);
  await release();
  const [a, r] = await Promise.all([approving, rejecting]);
  expect(a).toEqual({ approveChange: { status: "applied" } });
  expect((r as { code?: string }).code).toBe("CONFLICT");
  expect(await request(cr)).toMatchObject({ status: "applied" });
  expect(await audit(cr)).toEqual(["change.propose", "change.approve", "change.apply", "refused.rejectChange"]);
});

test("a scheduled request whose approver lost the role goes stale once, audited, instead of every tick", async () => {
  const applyAt = new Date(Date.now() + 1000).toISOString();
  const cr = await propose([{ op: "price.set", price: { provider: "openai", model: "sched-model", inputUsdPerMillion: 1, outputUsdPerMillion: 2 } }], applyAt);
  expect((await approve(cr)).approveChange.status).toBe("scheduled");
  await t.admin.request(`mutation($i: RoleBindingInput!) { revokeRole(input: $i) { id } }`, { i: { principalId: ben.id, role: "approver" } });
  try {
    for (const deadline = Date.now() + 5000; (await request(cr)).status === "scheduled" && Date.now() < deadline; ) await Bun.sleep(50);
    const after = await request(cr);
    expect(after.status).toBe("stale");
    expect(after.reason).toContain("approvals no longer hold: 0 valid, 1 required");
    await Bun.sleep(500); // several more ticks
    expect(t.logs.filter((l) => l.includes(cr))).toHaveLength(1);
    expect(await audit(cr)).toEqual(["change.propose", "change.approve", "change.stale"]);
    const { prices } = await t.admin.request<any>(`{ prices(first: 500) { items { model } } }`);
    expect(prices.items.map((p: { model: string }) => p.model)).not.toContain("sched-model");
  } finally {
    await t.admin.request(`mutation($i: RoleBindingInput!) { grantRole(input: $i) { id } }`, { i: { principalId: ben.id, role: "approver" } });
  }
});

test("a request an older release left `approved` is applied (or goes stale) by the ticker, once", async () => {
  const cr = await propose([{ op: "price.set", price: { provider: "openai", model: "left-model", inputUsdPerMillion: 1, outputUsdPerMillion: 2 } }]);
  await db`insert into change_approvals (change_id, approver, jti) values (${cr}, ${ben.id}, ${ben.jti})`;
  await db`update change_requests set status = 'approved' where id = ${cr}`;
  for (const deadline = Date.now() + 5000; (await request(cr)).status === "approved" && Date.now() < deadline; ) await Bun.sleep(50);
  expect((await request(cr)).status).toBe("applied");
  expect(await audit(cr)).toEqual(["change.propose", "change.apply"]);
});
