/**
 * A principal's refused reads cannot flood the audit chain: each was an append to the permanent log
 * under the config lock, one per root field (up to 30 per request), unthrottled, so a tenant admin's
 * probing (160 requests: ~4,770 rows) grew the log without bound and held up every admin change. Now
 * at most one row per operation and per principal a minute, the next row counting the reads left out
 * (`suppressed`, by field); every refused mutation is still audited.
 */
import { afterEach, beforeAll, expect, setSystemTime, test } from "bun:test";
import { addTenant } from "../testing/add-tenant.ts";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { RefusedReadThrottle } from "./refused-read-throttle.ts";

const t = useTestControlPlane();
let teamId: string;
let sql: ReturnType<typeof t.openSql>;
beforeAll(async () => {
  sql = t.openSql();
  const org = await addTenant(t.admin, "org");
  teamId = await addTenant(t.admin, "team", org);
});

afterEach(() => {
  setSystemTime();
});

const rowsBy = async (actor: string) =>
  [...(await sql<{ action: string; target: string | null; after: Record<string, unknown> }[]>`select action, target, after from audit_log where actor = ${actor} order by id`)];
/**
 * The actor's rows once `expected` are in. A refused field's row may land after the answer: `tenant` is
 * non-null, so its first error ends the operation while the field whose row is written still writes it.
 */
async function rowsOnceIn(actor: string, expected: number) {
  for (let waited = 0; waited < 5000; waited += 25) {
    if ((await rowsBy(actor)).length >= expected) break;
    await Bun.sleep(25);
  }
  return rowsBy(actor);
}
/** One operation of 30 aliased root fields, each asking for a tenant the caller does not reach. */
const probe = `{ ${Array.from({ length: 30 }, (_, i) => `p${i}: tenant(id: "ten_nope${i}") { id }`).join(" ")} }`;

test("a tenant admin's 160 probing requests of 30 refused reads each write one audit row", async () => {
  const team = await principalWith(t.admin, t.cp.url, "team-admin", [{ role: "tenant_admin", tenantId: teamId }]);
  for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 8 }, () => team.client.request(probe).catch(() => {})));
  const rows = await rowsOnceIn(team.id, 1);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ action: "refused.tenant", after: { code: "NOT_FOUND" } });
  expect(rows[0]!.target).toStartWith("ten_nope");
  expect(rows[0]!.after).not.toHaveProperty("suppressed");
}, 60_000);

test("a principal with no role: one row for its first refused operation, and each refused mutation still audited", async () => {
  const nobody = await principalWith(t.admin, t.cp.url, "nobody", []);
  for (let i = 0; i < 5; i++) expect(await errorCode(nobody.client.request(`{ deployments { items { id } } aliases { items { name } } }`))).toBe("FORBIDDEN");
  expect(await errorCode(nobody.client.request(`mutation { createTenant(input: { name: "x" }) { id } }`))).toBe("FORBIDDEN");
  expect(await errorCode(nobody.client.request(`mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: "key_nope" }))).toBe("FORBIDDEN");
  expect((await rowsOnceIn(nobody.id, 3)).map((r) => r.action)).toEqual(["refused.deployments", "refused.createTenant", "refused.revokeKey"]);
}, 30_000);

test("the throttle is per principal: another tenant admin's first probe is written", async () => {
  const first = await principalWith(t.admin, t.cp.url, "first", [{ role: "tenant_admin", tenantId: teamId }]);
  const second = await principalWith(t.admin, t.cp.url, "second", [{ role: "tenant_admin", tenantId: teamId }]);
  await first.client.request(probe).catch(() => {});
  await second.client.request(probe).catch(() => {});
  expect(await rowsOnceIn(first.id, 1)).toHaveLength(1);
  expect(await rowsOnceIn(second.id, 1)).toHaveLength(1);
}, 30_000);

test("a minute on, the principal's next refused read is written, counting by field the reads left out", async () => {
  const nobody = await principalWith(t.admin, t.cp.url, "nobody-again", []);
  // Refused by role, so each operation's fields are all refused before the answer.
  for (let i = 0; i < 3; i++) await nobody.client.request(`{ deployments { items { id } } aliases { items { name } } }`).catch(() => {});
  expect(await rowsOnceIn(nobody.id, 1)).toHaveLength(1);
  setSystemTime(new Date(Date.now() + 61_000));
  await nobody.client.request(`{ aliases { items { name } } }`).catch(() => {});
  const rows = await rowsOnceIn(nobody.id, 2);
  expect(rows.map((r) => r.action)).toEqual(["refused.deployments", "refused.aliases"]);
  expect(rows[1]!.after.suppressed).toEqual({ count: 5, fields: { deployments: 2, aliases: 3 } });
}, 30_000);

test("the chain still verifies after the flood", async () => {
  const { verifyAuditChain } = await t.admin.request<any>(`{ verifyAuditChain { ok } }`);
  expect(verifyAuditChain.ok).toBe(true);
}, 30_000);

test("throttle: one row per principal a minute, the next counting by field what was left out", () => {
  const throttle = new RefusedReadThrottle();
  expect(throttle.admit("prn_a", "tenant", 0)).toEqual({ count: 0, fields: {} });
  expect(throttle.admit("prn_a", "tenant", 1)).toBeNull();
  expect(throttle.admit("prn_a", "spend", 59_999)).toBeNull();
  expect(throttle.admit("prn_b", "keys", 30_000)).toEqual({ count: 0, fields: {} });
  expect(throttle.admit("prn_a", "keys", 60_000)).toEqual({ count: 2, fields: { tenant: 1, spend: 1 } });
  expect(throttle.admit("prn_a", "keys", 60_001)).toBeNull();
  // Counted without a row of its own (a second refusal of an operation that has written its row).
  throttle.count("prn_a", "keys");
  expect(throttle.admit("prn_a", "keys", 200_000)).toEqual({ count: 2, fields: { keys: 2 } });
});

test("throttle: a count still pending is kept when old entries are forgotten", () => {
  const throttle = new RefusedReadThrottle();
  throttle.admit("prn_pending", "tenant", 0);
  expect(throttle.admit("prn_pending", "tenant", 1)).toBeNull();
  for (let i = 0; i < 1500; i++) throttle.admit(`prn_${i}`, "tenant", 120_000 + i);
  expect(throttle.admit("prn_pending", "tenant", 300_000)).toEqual({ count: 1, fields: { tenant: 1 } });
});
