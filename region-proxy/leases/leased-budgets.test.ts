import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { startTestControlPlane, type TestControlPlane } from "../../control-plane/testing/test-control-plane.ts";
import { closedUrl } from "../../test/support/ports.ts";
import { startLeaseClient, type LeaseClient } from "./lease-client.ts";
import { createLeasedBudgets } from "./leased-budgets.ts";
import { startScriptedLeaseOrigin } from "../testing/scripted-lease-origin.ts";

let t: TestControlPlane;
let sql: postgres.Sql;
let token: string;
let tenant: string;
const clients: LeaseClient[] = [];
const period = "day:2026-11-25";

/** `now`: the proxy's clock, for the lease client as for the leased budgets over it. */
function client(controlPlaneUrl: string, ledger = createMemoryBudgetLedger(), now?: () => number) {
  const leases = startLeaseClient({ controlPlaneUrl, regionToken: token, proxyId: "prx_test", ledger, refreshMs: 60_000, requestTimeoutMs: 500, now });
  clients.push(leases);
  return { leases, ledger };
}

beforeAll(async () => {
  t = await startTestControlPlane();
  sql = postgres(t.db.url, { max: 1, onnotice: () => {} });
  token = (await t.admin.request<{ createRegion: { token: string } }>(`mutation { createRegion(input: { name: "eu" }) { token } }`)).createRegion.token;
  tenant = (await t.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "acme" }) { id } }`)).createTenant.id;
  await sql`update tenants set daily_budget_micros = 100000 where id = ${tenant}`;
  // A key every region's snapshot carries: the control plane leases a region only levels it serves a key of.
  await t.admin.request(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k" }) { key { id } } }`, { t: tenant });
}, 20_000);

afterAll(async () => {
  for (const c of clients) await c.stop();
  await sql?.end({ timeout: 1 });
  await t?.close();
});

test("the lease caps the reservation, grows for what waits, and refuses at once when the budget is leased out", async () => {
  const { leases, ledger } = client(t.cp.url);
  let reserveCalls = 0;
  const counted = { ...ledger, reserve: (...args: Parameters<typeof ledger.reserve>) => (reserveCalls++, ledger.reserve(...args)) };
  const budgets = createLeasedBudgets(counted, leases, { maxWaitMs: 2000 });
  const check = { scope: `ten:${tenant}`, period, capMicros: 100_000 };
  // The first reservation waits for the first lease: the floor, 5% of the cap.
  const first = await budgets.reserve([check], 1_000);
  if (!first.ok) throw new Error("expected the first reservation");
  expect(leases.view(check.scope, period)).toMatchObject({ managed: true, grantedMicros: 5_000, exhausted: false });
  // 60 000 does not fit the lease; it waits for the renewal it asks for, which grants what it needs.
  const second = await budgets.reserve([check], 60_000);
  if (!second.ok) throw new Error("expected the second reservation");
  expect(leases.view(check.scope, period)!.grantedMicros).toBeGreaterThanOrEqual(61_000);
  await budgets.settle(first.reservation, 1_000);
  await budgets.settle(second.reservation, 60_000);
  // 50 000 more would pass the cap even after every settle: refused without waiting out the deadline.
  const started = Date.now();
  const refused = await budgets.reserve([check], 50_000);
  // Reported against the tenant's cap (the whole of it is this region's lease now).
  expect(refused).toMatchObject({ ok: false, scope: check.scope, capMicros: 100_000, spentMicros: 61_000, reservedMicros: 0 });
  expect("unavailable" in refused).toBe(false);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(leases.view(check.scope, period)!.exhausted).toBe(true);
  // Leased out and refused again: the ledger is asked once, its refusal not asked a second time.
  const callsBefore = reserveCalls;
  expect(await budgets.reserve([check], 50_000)).toMatchObject({ ok: false, capMicros: 100_000 });
  expect(reserveCalls - callsBefore).toBe(1);
});

test("a reservation refused only because of other reservations waits for them to settle", async () => {
  const { leases, ledger } = client(t.cp.url);
  const budgets = createLeasedBudgets(ledger, leases, { maxWaitMs: 2000 });
  const check = { scope: "key:key_local", period, capMicros: 10_000 };
  const first = await budgets.reserve([check], 8_000);
  if (!first.ok) throw new Error("expected the first reservation");
  setTimeout(() => void budgets.settle(first.reservation, 2_000), 100);
  const second = await budgets.reserve([check], 8_000);
  expect(second.ok).toBe(true);
  // Unmanaged by the control plane (no such key): the snapshot's cap is enforced as is.
  expect(leases.view(check.scope, period)).toMatchObject({ managed: false });
});

test("an expired lease allows nothing new until it is renewed", async () => {
  let clock = Date.now();
  const { leases, ledger } = client(t.cp.url, undefined, () => clock);
  const budgets = createLeasedBudgets(ledger, leases, { maxWaitMs: 300, now: () => clock });
  const check = { scope: `ten:${tenant}`, period: "day:2026-11-24", capMicros: 100_000 };
  expect((await budgets.reserve([check], 100)).ok).toBe(true);
  const expiresAt = leases.view(check.scope, check.period)!.expiresAt;
  clock = expiresAt + 1;
  // The renewal answers with an expiry the frozen clock has not reached: admitted again.
  const renewed = await budgets.reserve([check], 100);
  expect(renewed.ok).toBe(true);
  expect(leases.view(check.scope, check.period)!.expiresAt).toBeGreaterThan(expiresAt);
});

test("no lease and no control plane: budgets fail closed, or open when the tenant says so", async () => {
  const { leases, ledger } = client(closedUrl());
  const budgets = createLeasedBudgets(ledger, leases, { maxWaitMs: 300 });
  const check = { scope: `ten:${tenant}`, period, capMicros: 100_000 };
  expect(await budgets.reserve([check], 1_000)).toMatchObject({ ok: false, unavailable: true });
  expect((await budgets.reserve([check], 1_000, { failOpen: true })).ok).toBe(true);
});

test("a control plane without the lease endpoint leaves the snapshot's caps in force", async () => {
  const old = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => Response.json({ error: { message: "no such route", code: "not_found" } }, { status: 404 }), error: () => new Response(null, { status: 500 }) });
  try {
    const { leases, ledger } = client(`http://127.0.0.1:${old.port}`);
    const budgets = createLeasedBudgets(ledger, leases, { maxWaitMs: 500 });
    const check = { scope: `ten:${tenant}`, period, capMicros: 3_000 };
    expect((await budgets.reserve([check], 2_000)).ok).toBe(true);
    expect((await budgets.reserve([check], 2_000)).ok).toBe(false);
    expect(leases.view(check.scope, period)).toMatchObject({ managed: false });
  } finally {
    old.stop(true);
  }
});

test("a refusal while other regions hold the rest is reported against the tenant's cap, their share as reserved", async () => {
  const level = { scope: `ten:${tenant}`, period: "day:2026-11-23", capMicros: 100_000 };
  // Another region holds 70 000 of the cap.
  await fetch(new URL("/internal/v1/leases", t.cp.url), {
    method: "POST",
    headers: { authorization: `Bearer ${await otherRegionToken()}`, "content-type": "application/json" },
    body: JSON.stringify({ leases: [{ scope: level.scope, period: level.period, spentMicros: 0, needMicros: 70_000 }] }),
  });
  const { leases, ledger } = client(t.cp.url);
  const budgets = createLeasedBudgets(ledger, leases, { maxWaitMs: 1000 });
  const refused = await budgets.reserve([level], 40_000);
  expect(refused).toMatchObject({ ok: false, capMicros: 100_000, spentMicros: 0, reservedMicros: 70_000 });
  expect(leases.view(level.scope, level.period)).toMatchObject({ grantedMicros: 30_000, exhausted: true });
});

async function otherRegionToken(): Promise<string> {
  return (await t.admin.request<{ createRegion: { token: string } }>(`mutation { createRegion(input: { name: "us" }) { token } }`)).createRegion.token;
}

test("a lease that could grow but the control plane stops answering: retryable unavailable, not budget_exceeded", async () => {
  const flaky = startScriptedLeaseOrigin({ grantedMicros: 5_000, once: true });
  try {
    const { leases, ledger } = client(flaky.url);
    const budgets = createLeasedBudgets(ledger, leases, { maxWaitMs: 300 });
    const level = { scope: `ten:${tenant}`, period, capMicros: 100_000 };
    expect((await budgets.reserve([level], 4_000)).ok).toBe(true);
    expect(await budgets.reserve([level], 4_000)).toMatchObject({ ok: false, unavailable: true, capMicros: 100_000 });
    expect(flaky.calls()).toBeGreaterThan(1);
  } finally {
    flaky.stop();
  }
});

test("a lease answer the proxy cannot use (figures past safe integers, a loose date, no grants array) grants nothing: budgets fail closed as if the control plane were down", async () => {
  const answers: unknown[] = [
    { grants: [{ scope: `ten:${tenant}`, period, managed: true, capMicros: 100_000, grantedMicros: 1e300, expiresAt: new Date(Date.now() + 60_000).toISOString(), exhausted: false, ledgerSpentMicros: 0, ledgerVersion: 0 }] },
    { grants: [{ scope: `ten:${tenant}`, period, managed: true, capMicros: 100_000, grantedMicros: "90000", expiresAt: "soon", exhausted: false, ledgerSpentMicros: 0, ledgerVersion: 0 }] },
    // Date.parse reads "99999" as the year 99999: a lease that would never expire.
    { grants: [{ scope: `ten:${tenant}`, period, managed: true, capMicros: 100_000, grantedMicros: 0, expiresAt: "99999", exhausted: false, ledgerSpentMicros: 0, ledgerVersion: 0 }] },
    { grants: { length: 1 } },
    [],
  ];
  for (const answer of answers) {
    let calls = 0;
    const broken = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => (calls++, Response.json(answer)), error: () => new Response(null, { status: 500 }) });
    try {
      const { leases, ledger } = client(`http://127.0.0.1:${broken.port}`);
      const budgets = createLeasedBudgets(ledger, leases, { maxWaitMs: 300 });
      const level = { scope: `ten:${tenant}`, period, capMicros: 100_000 };
      expect(await budgets.reserve([level], 4_000)).toMatchObject({ ok: false, unavailable: true });
      expect(calls).toBeGreaterThan(0);
      expect(leases.view(level.scope, period)?.managed ?? null).not.toBe(true);
    } finally {
      broken.stop(true);
    }
  }
});
