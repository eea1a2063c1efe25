/**
 * A cycle's levels go out in requests of LEASE_REQUEST_LEVELS, one after another, and each request is
 * its own attempt: one that times out costs only its own levels (the control plane slow with that
 * request, not out of reach), the cycle logs one line for all its failures, and a level's ask resolves
 * once its own request is answered. Against a stand-in control plane that holds the requests it is told to.
 */
import { afterEach, expect, test } from "bun:test";
import type { LeaseAsk, LeaseGrant } from "../../shared/leases/lease-wire.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { LEASE_REQUEST_LEVELS, startLeaseClient, type LeaseClient } from "./lease-client.ts";

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const period = "day:2026-11-27";
/** Two requests' worth and one: level 0 goes alone (its ask starts the first cycle), the rest in the second. */
const scopes = Array.from({ length: 2 * LEASE_REQUEST_LEVELS + 1 }, (_, i) => `key:key_${i}`);

function grant(ask: LeaseAsk): LeaseGrant {
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  return { scope: ask.scope, period: ask.period, managed: true, capMicros: 1_000_000, grantedMicros: 100_000, expiresAt, ttlMs: 60_000, exhausted: false, ledgerSpentMicros: 0, ledgerVersion: 0 };
}

/** A control plane that answers every request at once except those `held` picks, answered after `holdMs`. */
function standIn(held: (asks: LeaseAsk[]) => boolean, holdMs: number) {
  const requests: { scopes: string[]; held: boolean; answeredAt?: number }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const { leases } = (await request.json()) as { leases: LeaseAsk[] };
      const entry = { scopes: leases.map((a) => a.scope), held: held(leases) };
      requests.push(entry);
      if (entry.held) await Bun.sleep(holdMs);
      return Response.json({ grants: leases.map(grant) });
    },
  });
  stops.push(() => server.stop(true));
  return { url: `http://127.0.0.1:${server.port}`, requests };
}

function client(url: string, logs: string[], requestTimeoutMs?: number): LeaseClient {
  const leases = startLeaseClient({ controlPlaneUrl: url, regionToken: "regtok_x", proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, requestTimeoutMs, log: (l) => logs.push(l) });
  stops.push(() => leases.stop());
  return leases;
}

test("a request that times out costs only its own levels: the cycle's later requests are still sent", async () => {
  // In the second cycle's first request, which has another after it.
  const heldScope = scopes[5]!;
  const cp = standIn((asks) => asks.some((a) => a.scope === heldScope), 1_000);
  const logs: string[] = [];
  const leases = client(cp.url, logs, 200);
  await Promise.all(scopes.map((s) => leases.ask(s, period)));
  const heldRequest = cp.requests.find((r) => r.held)!;
  expect(cp.requests.indexOf(heldRequest)).toBeLessThan(cp.requests.length - 1);
  const leased = scopes.filter((s) => leases.view(s, period)?.managed);
  expect(leased).toEqual(scopes.filter((s) => !heldRequest.scopes.includes(s)));
  expect(cp.requests.every((r) => r.scopes.length <= LEASE_REQUEST_LEVELS)).toBe(true);
  expect(logs).toHaveLength(1);
  expect(logs[0]).toStartWith("leases: cannot reach the control plane (");
});

test("every request of a cycle timing out: each is sent, and the cycle logs one line", async () => {
  // Level 0's own request (the first cycle) is answered; the second cycle's two requests both time out.
  const cp = standIn((asks) => asks.length > 1, 1_000);
  const logs: string[] = [];
  const leases = client(cp.url, logs, 200);
  await Promise.all(scopes.map((s) => leases.ask(s, period)));
  expect(cp.requests.map((r) => r.scopes.length)).toEqual([1, LEASE_REQUEST_LEVELS, LEASE_REQUEST_LEVELS]);
  expect(scopes.filter((s) => leases.view(s, period))).toEqual([scopes[0]!]);
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatch(/^leases: cannot reach the control plane \(.*\) \(2 of the cycle's 2 lease requests failed\); enforcing the leases held$/);
});

test("a level's ask resolves once its own request is answered, before the cycle's later ones", async () => {
  const lastScope = scopes.at(-1)!;
  const cp = standIn((asks) => asks.some((a) => a.scope === lastScope), 1_500);
  const leases = client(cp.url, []);
  const started = performance.now();
  const all = Promise.all(scopes.map((s) => leases.ask(s, period)));
  // scopes[1] is in the cycle's first request; the last scope's request is held 1.5 s.
  await leases.ask(scopes[1]!, period);
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(leases.view(scopes[1]!, period)?.managed).toBe(true);
  expect(leases.view(lastScope, period)).toBeUndefined();
  await all;
  expect(leases.view(lastScope, period)?.managed).toBe(true);
});
