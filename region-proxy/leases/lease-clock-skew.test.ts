/**
 * A lease lives on the proxy's own clock: a proxy whose clock runs 90 s ahead of the control plane's,
 * or 90 s behind it, enforces the lease the control plane just granted, as one on the same clock does.
 * Before, the answer's absolute `expiresAt` (the control plane's clock) was judged on the proxy's clock:
 * 90 s ahead, every lease was expired on arrival (fail-closed tenants got 503 budget_unavailable with
 * the control plane healthy; fail-open ones escaped the lease and spent what other regions held).
 * Real control plane, real lease client; the proxy's clock is the `now` both proxy sides take.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { startTestControlPlane, type TestControlPlane } from "../../control-plane/testing/test-control-plane.ts";
import { startScriptedLeaseOrigin } from "../testing/scripted-lease-origin.ts";
import { startLeaseClient, type LeaseClient } from "./lease-client.ts";
import { createLeasedBudgets } from "./leased-budgets.ts";

let t: TestControlPlane;
let sql: postgres.Sql;
let eu: string;
let us: string;
let tenant: string;
const clients: LeaseClient[] = [];

beforeAll(async () => {
  t = await startTestControlPlane();
  sql = t.openSql();
  const region = async (name: string) => (await t.admin.request<{ createRegion: { token: string } }>(`mutation { createRegion(input: { name: "${name}" }) { token } }`)).createRegion.token;
  eu = await region("eu");
  us = await region("us");
  tenant = (await t.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "acme" }) { id } }`)).createTenant.id;
  await sql`update tenants set daily_budget_micros = 100000 where id = ${tenant}`;
  // A key every region's snapshot carries: the control plane leases a region only levels it serves a key of.
  await t.admin.request(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k" }) { key { id } } }`, { t: tenant });
}, 30_000);

afterAll(async () => {
  for (const c of clients) await c.stop();
  await t?.close();
});

/** A proxy (lease client and leased budgets) whose clock is `skewMs` off the control plane's. */
function proxy(skewMs: number, maxWaitMs: number, controlPlaneUrl = t.cp.url) {
  const now = () => Date.now() + skewMs;
  const ledger = createMemoryBudgetLedger();
  const logs: string[] = [];
  const leases = startLeaseClient({ controlPlaneUrl, regionToken: eu, proxyId: "prx_skew", ledger, refreshMs: 60_000, requestTimeoutMs: 1000, now, log: (line) => logs.push(line) });
  clients.push(leases);
  return { now, leases, logs, budgets: createLeasedBudgets(ledger, leases, { maxWaitMs, now }) };
}

async function grantedTo(region: "eu" | "us", scope: string, period: string): Promise<number> {
  const [row] = await sql<{ g: number }[]>`select granted_micros::int as g from budget_leases where scope = ${scope} and period = ${period} and region = ${region}`;
  return row?.g ?? 0;
}

for (const [name, skewMs, day] of [["ahead", 90_000, 10], ["behind", -90_000, 20]] as const) {
  test(`proxy clock 90 s ${name}: a fail-closed tenant is admitted within its grant, and refused budget_exceeded past it`, async () => {
    const { leases, budgets, now, logs } = proxy(skewMs, 2000);
    const check = { scope: `ten:${tenant}`, period: `day:2026-11-${day}`, capMicros: 100_000 };
    for (let i = 0; i < 3; i++) {
      const reserved = await budgets.reserve([check], 1_000);
      if (!reserved.ok) throw new Error(`reservation ${i} refused: ${JSON.stringify(reserved)}`);
      await budgets.settle(reserved.reservation, 1_000);
    }
    const view = leases.view(check.scope, check.period)!;
    // The lease's expiry is on this proxy's clock: its 60 s life from when the ask was sent, before now.
    expect(view.expiresAt).toBeGreaterThan(now());
    expect(view.expiresAt).toBeLessThanOrEqual(now() + 60_000);
    expect(view.grantedMicros).toBe(await grantedTo("eu", check.scope, check.period));
    // Past the cap with what is spent: the lease grows to all of it, then the request is refused as
    // spent, not as unavailable.
    const refused = await budgets.reserve([check], 98_000);
    expect(refused).toMatchObject({ ok: false, capMicros: 100_000, spentMicros: 3_000 });
    expect("unavailable" in refused).toBe(false);
    // Said once, however many answers came: which clock is ahead, by the control plane's Date header.
    // (The header has whole seconds: 89 to 91 s.)
    const said = new RegExp(`this proxy's clock is about (89|90|91) s ${name === "ahead" ? "ahead of" : "behind"} the control plane's`);
    expect(logs.filter((line) => line.includes("clock"))).toEqual([expect.stringMatching(said)]);
  });

  test(`proxy clock 90 s ${name}: a fail-open tenant is held to its grant while another region holds the rest`, async () => {
    const { budgets } = proxy(skewMs, 300);
    const check = { scope: `ten:${tenant}`, period: `day:2026-11-${day + 1}`, capMicros: 100_000 };
    // Region us holds 70 000 of the 100 000 cap: eu may use at most 30 000.
    const held = await fetch(new URL("/internal/v1/leases", t.cp.url), {
      method: "POST",
      headers: { authorization: `Bearer ${us}`, "content-type": "application/json" },
      body: JSON.stringify({ leases: [{ scope: check.scope, period: check.period, spentMicros: 0, needMicros: 70_000 }] }),
    });
    expect(held.status).toBe(200);
    let admitted = 0;
    for (let i = 0; i < 5; i++) if ((await budgets.reserve([check], 20_000, { failOpen: true })).ok) admitted += 20_000;
    const granted = await grantedTo("eu", check.scope, check.period);
    expect(granted).toBe(30_000);
    expect(admitted).toBe(20_000);
  });
}

test("an older control plane (no ttlMs) whose expiresAt is past on arrival by the proxy's clock: it answers, so a fail-open tenant is not let past its lease", async () => {
  // Grants 5 000 of 100 000 for a minute by its own clock, which runs 90 s behind the proxy's.
  const old = startScriptedLeaseOrigin({ grantedMicros: 5_000 });
  try {
    const { budgets, leases } = proxy(90_000, 300, old.url);
    const check = { scope: `ten:${tenant}`, period: "day:2026-11-30", capMicros: 100_000 };
    // Read as before (expired on arrival): nothing is admitted under it, and the fail-open escape, meant
    // for a control plane that cannot be reached, does not fire for one that answers.
    expect(await budgets.reserve([check], 1_000, { failOpen: true })).toMatchObject({ ok: false, unavailable: true });
    expect(leases.view(check.scope, check.period)).toMatchObject({ managed: true, grantedMicros: 5_000 });
    expect(old.calls()).toBeGreaterThan(1);
  } finally {
    old.stop();
  }
});
