/** Spend shows through four fields; viewers and approvers get none of them, finance gets all four. */
import { beforeAll, expect, test } from "bun:test";
import { errorCode, principalWith } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
beforeAll(async () => {
  s = await seedConfig(t.admin);
});

test("viewer and approver are FORBIDDEN on spend, budgetStatus, limitStatus, budgetAlerts; finance reads them", async () => {
  const queries: [string, Record<string, unknown>][] = [
    [`query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { costMicros } }`, { t: s.tenantId }],
    [`query($t: ID!) { budgetStatus(tenantId: $t) { levels { period } } }`, { t: s.tenantId }],
    [`query($k: ID!) { limitStatus(keyId: $k) { requestsLastMinute } }`, { k: s.keyId }],
    [`query($t: ID!) { budgetAlerts(tenantId: $t) { id } }`, { t: s.tenantId }],
  ];
  const finance = await principalWith(t.admin, t.cp.url, "fin", [{ role: "finance" }]);
  for (const role of ["viewer", "approver"]) {
    const p = await principalWith(t.admin, t.cp.url, role, [{ role }]);
    for (const [query, variables] of queries) expect([role, query.slice(0, 30), await errorCode(p.client.request(query, variables))]).toEqual([role, query.slice(0, 30), "FORBIDDEN"]);
  }
  for (const [query, variables] of queries) await finance.client.request(query, variables);
});
