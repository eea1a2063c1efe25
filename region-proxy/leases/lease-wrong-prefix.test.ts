/**
 * The control plane answers its own 404 (JSON, code not_found) for ANY path it does not serve
 * (control-plane/http/server.ts), and the lease client reads that answer as "this control plane holds
 * no global budget" (a control plane from before leases answers the same, so the body cannot tell the
 * two apart). A CONTROL_PLANE_URL that reaches the control plane under a wrong path (its /graphql URL,
 * say) therefore left every budget capped per region only, with no global cap, and said nothing. Now
 * the first such answer of a run is logged once, naming the masked URL and what it means.
 * (Final read p2, finding 1.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestControlPlane, type TestControlPlane } from "../../control-plane/testing/test-control-plane.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { startLeaseClient } from "./lease-client.ts";

let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
}, 30_000);
afterAll(async () => {
  await t?.close();
});

/** A tenant with a daily cap, and a region token to ask its leases with. */
async function cappedTenant(): Promise<{ tenant: string; token: string }> {
  const { createRegion } = await t.admin.request<{ createRegion: { token: string } }>(`mutation { createRegion(input: { name: "eu" }) { token } }`);
  const { createTenant } = await t.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "acme" }) { id } }`);
  const sql = t.openSql();
  await sql`update tenants set daily_budget_micros = 100000 where id = ${createTenant.id}`;
  return { tenant: createTenant.id, token: createRegion.token };
}

test("CONTROL_PLANE_URL = the control plane's /graphql URL: its 404 makes the budgets per-region only, and that is logged once, naming the masked URL", async () => {
  const { tenant, token } = await cappedTenant();
  const period = "day:2026-11-25";
  // The right base first: the level is managed, nothing logged.
  const right: string[] = [];
  const good = startLeaseClient({ controlPlaneUrl: t.cp.url, regionToken: token, proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, log: (l) => right.push(l) });
  await good.ask(`ten:${tenant}`, period);
  expect(good.view(`ten:${tenant}`, period)).toMatchObject({ managed: true, capMicros: 100_000 });
  await good.stop();
  expect(right).toEqual([]);

  const base = new URL("/graphql", t.cp.url);
  base.username = "ops";
  base.password = "secret";
  const logs: string[] = [];
  const wrong = startLeaseClient({ controlPlaneUrl: base.href, regionToken: token, proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, log: (l) => logs.push(l) });
  try {
    await wrong.ask(`ten:${tenant}`, period);
    expect(wrong.view(`ten:${tenant}`, period)).toMatchObject({ managed: false });
    // Asked again, and for another level: still one line for the run.
    await wrong.ask(`ten:${tenant}`, period);
    await wrong.ask(`ten:${tenant}`, "month:2026-11");
    expect(logs).toHaveLength(1);
    const shown = `"http://***@${base.host}/graphql/internal/v1/leases"`;
    expect(logs[0]).toStartWith(`leases: the lease request to ${shown} was answered 404 not_found by a control plane: read as one that holds no global budget, so budgets are enforced per region only (each region against the snapshot's cap, no global cap)`);
    expect(logs[0]).toContain("CONTROL_PLANE_URL");
    expect(logs[0]).not.toContain("secret");
  } finally {
    await wrong.stop();
  }
}, 30_000);
