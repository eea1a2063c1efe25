/**
 * A lease granted under another cap than the snapshot's is stale: asked for at once, once per cap, and
 * until answered it admits only what surely fits the new cap; a raised cap is asked for even by an
 * exhausted lease. (test/e2e/budget-cap-change.test.ts: the same through two regions' proxies.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { useTestControlPlane } from "../../control-plane/testing/test-control-plane.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { waitFor } from "../testing/proxy-fixture.ts";
import { startScriptedLeaseOrigin } from "../testing/scripted-lease-origin.ts";
import { startLeaseClient, type LeaseClient } from "./lease-client.ts";
import { createLeasedBudgets } from "./leased-budgets.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
const tokens: Record<string, string> = {};
const clients: LeaseClient[] = [];
const period = "day:2026-11-25";

/** The timer asks every minute only: every ask seen here is one the request path made. */
function budgets(controlPlaneUrl: string, region = "eu", maxWaitMs = 1000) {
  const ledger = createMemoryBudgetLedger();
  const leases = startLeaseClient({ controlPlaneUrl, regionToken: tokens[region] ?? "unused", proxyId: "prx_test", ledger, refreshMs: 60_000, requestTimeoutMs: 2000 });
  clients.push(leases);
  return { leases, budgets: createLeasedBudgets(ledger, leases, { maxWaitMs }) };
}

/** A tenant capped at `capMicros` a day, with a key so the control plane leases its level to the regions. */
async function tenant(name: string, capMicros: number): Promise<string> {
  const id = (await t.admin.request<{ createTenant: { id: string } }>(`mutation($n: String!) { createTenant(input: { name: $n }) { id } }`, { n: name })).createTenant.id;
  await sql`update tenants set daily_budget_micros = ${capMicros} where id = ${id}`;
  await t.admin.request(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k" }) { key { id } } }`, { t: id });
  return id;
}

beforeAll(async () => {
  sql = postgres(t.db.url, { max: 1, onnotice: () => {} });
  for (const name of ["eu", "us"]) tokens[name] = (await t.admin.request<{ createRegion: { token: string } }>(`mutation($n: String!) { createRegion(input: { name: $n }) { token } }`, { n: name })).createRegion.token;
}, 20_000);

afterAll(async () => {
  for (const c of clients) await c.stop();
  await sql?.end({ timeout: 1 });
});

test("a cap lowered below what another region holds refuses at once, though this region's own spend is under it", async () => {
  const id = await tenant("lowered", 100_000);
  const scope = `ten:${id}`;
  // The US holds 70 000; the EU spends 1 000 under a 5 000 lease.
  await budgets(t.cp.url, "us").leases.ask(scope, period, 70_000, 100_000);
  const eu = budgets(t.cp.url);
  const first = await eu.budgets.reserve([{ scope, period, capMicros: 100_000 }], 1_000);
  if (!first.ok) throw new Error("expected the first reservation");
  await eu.budgets.settle(first.reservation, 1_000);
  expect(eu.leases.view(scope, period)).toMatchObject({ capMicros: 100_000, grantedMicros: 5_000 });
  // Lowered to 50 000: the US alone holds more. The EU's 1 000 + 1 000 is under the new cap and its lease.
  await sql`update tenants set daily_budget_micros = 50000 where id = ${id}`;
  const refused = await eu.budgets.reserve([{ scope, period, capMicros: 50_000 }], 1_000);
  expect(refused).toMatchObject({ ok: false, capMicros: 50_000, spentMicros: 1_000 });
  expect("unavailable" in refused).toBe(false);
  expect(eu.leases.view(scope, period)).toMatchObject({ capMicros: 50_000, grantedMicros: 1_000, exhausted: true });
});

test("a raised cap admits at once under a lease that was exhausted", async () => {
  const id = await tenant("raised", 10_000);
  const scope = `ten:${id}`;
  const eu = budgets(t.cp.url);
  const all = await eu.budgets.reserve([{ scope, period, capMicros: 10_000 }], 10_000);
  if (!all.ok) throw new Error("expected the whole cap");
  await eu.budgets.settle(all.reservation, 10_000);
  expect(await eu.budgets.reserve([{ scope, period, capMicros: 10_000 }], 1_000)).toMatchObject({ ok: false, capMicros: 10_000 });
  expect(eu.leases.view(scope, period)).toMatchObject({ grantedMicros: 10_000, exhausted: true });
  await sql`update tenants set daily_budget_micros = 20000 where id = ${id}`;
  const started = Date.now();
  expect((await eu.budgets.reserve([{ scope, period, capMicros: 20_000 }], 1_000)).ok).toBe(true);
  expect(Date.now() - started).toBeLessThan(1000);
  // Granted more under the new cap. Whether that grant leaves the lease exhausted depends on the spend
  // rate the control plane has measured (grant-lease.ts: 10 000 spent within 50 ms of the ask reads as
  // no rate, a floor's grant; later, a rate that takes the whole rest): a CI run got the whole rest.
  const raised = eu.leases.view(scope, period)!;
  expect(raised.capMicros).toBe(20_000);
  expect(raised.grantedMicros).toBeGreaterThan(10_000);
});

test("until its answer, a lease under a cap lowered by d admits its room minus d; the cap is asked for once, not per request", async () => {
  const origin = startScriptedLeaseOrigin({ grantedMicros: 50_000 });
  try {
    const { leases, budgets: b } = budgets(origin.url, "eu", 300);
    const level = { scope: "ten:ten_scripted", period, capMicros: 100_000 };
    expect((await b.reserve([level], 1)).ok).toBe(true);
    expect(origin.calls()).toBe(1);
    // The snapshot lowers the cap by 10 000; the answer to the ask this sends is held back.
    origin.hold();
    const lowered = { ...level, capMicros: 90_000 };
    // Room: 50 000 granted - 10 000 = 40 000, of which 1 is reserved.
    expect((await b.reserve([lowered], 39_000)).ok).toBe(true);
    expect(await b.reserve([lowered], 1_000)).toMatchObject({ ok: false, unavailable: true, capMicros: 90_000 });
    origin.release();
    await waitFor(() => leases.view(level.scope, period)?.askedForCapMicros === 90_000, "the answer for 90 000", 2000);
    // The refused reservation's ask, coalesced behind the held one, goes out once that is answered: an
    // ask of our own is answered after it.
    await leases.ask(level.scope, period);
    const calls = origin.calls();
    // Answered for 90 000, the control plane's cap (100 000) still differs: the lease is not stale any more.
    for (let i = 0; i < 10; i++) expect((await b.reserve([lowered], 100)).ok).toBe(true);
    expect(origin.calls()).toBe(calls);
  } finally {
    origin.stop();
  }
});
