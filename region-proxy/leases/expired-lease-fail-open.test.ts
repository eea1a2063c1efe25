/**
 * A lease that expired while the control plane is away is no lease at all: a fail-open tenant is
 * admitted (as with no lease and no control plane), a fail-closed one is refused as unavailable.
 */
import { afterAll, expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { startLeaseClient, type LeaseClient } from "./lease-client.ts";
import { startScriptedLeaseOrigin } from "../testing/scripted-lease-origin.ts";
import { createLeasedBudgets } from "./leased-budgets.ts";

const clients: LeaseClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.stop();
});

test("an expired lease with the control plane down: fail-open tenants are admitted, fail-closed ones get unavailable", async () => {
  const origin = startScriptedLeaseOrigin({ grantedMicros: 5_000, once: true });
  try {
    let skew = 0;
    const now = () => Date.now() + skew;
    const leases = startLeaseClient({ controlPlaneUrl: origin.url, regionToken: "regtok_x", proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, requestTimeoutMs: 500, now });
    clients.push(leases);
    const budgets = createLeasedBudgets(createMemoryBudgetLedger(), leases, { maxWaitMs: 300, now });
    const level = { scope: "ten:ten_a", period: "day:2026-11-25", capMicros: 100_000 };
    expect((await budgets.reserve([level], 1_000)).ok).toBe(true);
    skew = leases.view(level.scope, level.period)!.expiresAt + 1 - Date.now(); // expired; renewals now fail
    expect(await budgets.reserve([level], 1_000)).toMatchObject({ ok: false, unavailable: true });
    expect((await budgets.reserve([level], 1_000, { failOpen: true })).ok).toBe(true);
  } finally {
    origin.stop();
  }
});
