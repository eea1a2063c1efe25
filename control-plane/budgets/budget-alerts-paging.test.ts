// budgetAlerts pages and filters (review rr R7: it answered a tenant's newest 200 alerts and took nothing
// but tenantId, so a tenant whose keys have daily caps, 80% and 100% per key per day, passed 200 within
// days and every older alert, with its delivery state, was out of reach of the API). Now `first` (1-500,
// default 200) and `skip` page it, newest first, and `scope` and `since` narrow it.
import { expect, test } from "bun:test";
import { parse, type OperationDefinitionNode } from "graphql";
import { buildControlPlaneSchema } from "../graphql/build-schema.ts";
import { measureOperation, ROOT_FIELD_COST } from "../graphql/query-limits.ts";
import { errorCode } from "../testing/principals.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";

const r = useLeaseRegions();

type Alerts = { budgetAlerts: { id: string; scope: string; period: string }[] };

test("every alert of a tenant can be read through budgetAlerts (paged), and scope and since narrow it", async () => {
  const org = await r.tenant("rr-many-alerts", 1_000);
  // 101 days x (80% and 100%) = 202 alerts at the tenant's own level, plus 2 at another scope.
  for (let d = 0; d < 101; d++) {
    const day = new Date(Date.UTC(2025, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    await raiseAlertIfCrossed(r.sql, { tenantId: org, scope: `ten:${org}`, period: `day:${day}`, timeZone: "UTC", capMicros: 1000, spentMicros: 1000 });
  }
  await raiseAlertIfCrossed(r.sql, { tenantId: org, scope: "key:key_rrother", period: "day:2025-06-01", timeZone: "UTC", capMicros: 1000, spentMicros: 1000 });
  // Creation times apart, so `since` has an edge to cut at: the key alerts are the newest.
  await r.sql`update budget_alerts set created_at = now() - interval '1 hour' where tenant_id = ${org} and scope <> 'key:key_rrother'`;
  const q = (args: string, vars: Record<string, unknown> = {}) =>
    r.t.admin.request<Alerts>(`query($t: ID!${"since" in vars ? ", $since: DateTime" : ""}) { budgetAlerts(tenantId: $t${args}) { id scope period } }`, { t: org, ...vars });

  const first = await q("");
  expect(first.budgetAlerts).toHaveLength(200);
  const rest = await q(", skip: 200");
  expect(rest.budgetAlerts).toHaveLength(4);
  const all = [...first.budgetAlerts, ...rest.budgetAlerts].map((a) => a.id);
  expect(new Set(all).size).toBe(204);
  // Smaller pages walk the same list, in the same order.
  const walked: string[] = [];
  for (let skip = 0; ; skip += 70) {
    const page = (await q(`, first: 70, skip: ${skip}`)).budgetAlerts;
    walked.push(...page.map((a) => a.id));
    if (page.length < 70) break;
  }
  expect(walked).toEqual(all);

  expect((await q(`, scope: "key:key_rrother"`)).budgetAlerts.map((a) => a.scope)).toEqual(["key:key_rrother", "key:key_rrother"]);
  expect((await q(`, scope: "ten:${org}", first: 500`)).budgetAlerts).toHaveLength(202);
  const since = new Date(Date.now() - 30 * 60_000).toISOString();
  expect((await q(", since: $since", { since })).budgetAlerts.map((a) => a.period)).toEqual(["day:2025-06-01", "day:2025-06-01"]);
}, 60_000);

test("first is 1 to 500 and skip 0 or more; anything else is BAD_USER_INPUT", async () => {
  const org = await r.tenant("rr-alert-args", 1_000);
  for (const args of ["first: 0", "first: 501", "skip: -1"]) {
    expect([args, await errorCode(r.t.admin.request(`query($t: ID!) { budgetAlerts(tenantId: $t, ${args}) { id } }`, { t: org }))]).toEqual([args, "BAD_USER_INPUT"]);
  }
});

test("a budgetAlerts page costs its size in the query limits: 200 when first is absent, first otherwise", async () => {
  const schema = await buildControlPlaneSchema();
  const cost = (args: string, variables: Record<string, unknown> = {}) => {
    const op = parse(`query($n: Int) { budgetAlerts(tenantId: "ten_x"${args}) { id scope period } }`).definitions[0] as OperationDefinitionNode;
    return measureOperation(schema, op, {}, variables).complexity;
  };
  const root = ROOT_FIELD_COST.budgetAlerts!;
  expect([cost(""), cost(", first: 10"), cost(", first: $n", { n: 500 })]).toEqual([root + 200 * 3, root + 10 * 3, root + 500 * 3]);
});
