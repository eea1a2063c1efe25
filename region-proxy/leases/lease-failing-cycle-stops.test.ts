/**
 * A failing or unreachable control plane gets one lease request per cycle per replica, not one per
 * LEASE_REQUEST_LEVELS levels: every request costs it a region-token query even when it answers 503,
 * so a failure that says the next request would fare no better (a 502/503/504, a 401, a redirect, a
 * foreign 404, connection refused) ends the cycle. A refusal of that request's own levels (400, 413)
 * or a failure serving them (500) does not, nor does a timeout (lease-request-timeout.test.ts).
 * Against stand-ins answering at once.
 */
import { afterEach, expect, test } from "bun:test";
import type { LeaseAsk, LeaseGrant } from "../../shared/leases/lease-wire.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { LEASE_REQUEST_LEVELS, startLeaseClient } from "./lease-client.ts";

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const period = "day:2026-11-27";
/** Level 0 goes alone (its ask starts the first cycle); the other 200 make the second cycle's 4 requests. */
const scopes = Array.from({ length: 4 * LEASE_REQUEST_LEVELS + 1 }, (_, i) => `key:key_${i}`);

function grant(ask: LeaseAsk): LeaseGrant {
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  return { scope: ask.scope, period: ask.period, managed: true, capMicros: 1_000_000, grantedMicros: 100_000, expiresAt, ttlMs: 60_000, exhausted: false, ledgerSpentMicros: 0, ledgerVersion: 0 };
}

/**
 * Asks every level of `scopes` against a stand-in that grants the first request (level 0's cycle) and
 * answers the others with `answer`, at once; the requests it got, the logs and the levels leased.
 */
async function askAllAgainst(answer: (asks: LeaseAsk[]) => Response) {
  const requests: string[][] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(request) {
      const { leases } = (await request.json()) as { leases: LeaseAsk[] };
      requests.push(leases.map((a) => a.scope));
      return requests.length === 1 ? Response.json({ grants: leases.map(grant) }) : answer(leases);
    },
  });
  stops.push(() => server.stop(true));
  const logs: string[] = [];
  const leases = startLeaseClient({ controlPlaneUrl: `http://127.0.0.1:${server.port}`, regionToken: "regtok_x", proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, log: (l) => logs.push(l) });
  stops.push(() => leases.stop());
  await Promise.all(scopes.map((s) => leases.ask(s, period)));
  return { requests, logs, leased: scopes.filter((s) => leases.view(s, period)?.managed) };
}

test("a control plane answering 503 gets one request per cycle, and the cycle logs one line saying the rest were not sent", async () => {
  const { requests, logs, leased } = await askAllAgainst(() => Response.json({ error: { message: "database unavailable" } }, { status: 503 }));
  // One per cycle: level 0's, then the first of the second cycle's four.
  expect(requests.map((r) => r.length)).toEqual([1, LEASE_REQUEST_LEVELS]);
  expect(leased).toEqual([scopes[0]!]);
  expect(logs).toEqual(["leases: the control plane failed the lease request (503: database unavailable) (the cycle's 3 later lease requests not sent); enforcing the leases held"]);
});

test("the region's token refused (401) ends the cycle: every later request would be refused alike", async () => {
  const { requests } = await askAllAgainst(() => Response.json({ error: { message: "missing or invalid region token" } }, { status: 401 }));
  expect(requests.map((r) => r.length)).toEqual([1, LEASE_REQUEST_LEVELS]);
});

test("an answer that is no lease answer ends the cycle", async () => {
  const { requests } = await askAllAgainst(() => new Response("<html>proxy error</html>", { status: 200 }));
  expect(requests.map((r) => r.length)).toEqual([1, LEASE_REQUEST_LEVELS]);
});

test("a 400 refusing one request's levels costs only those: the cycle's other requests are sent and leased", async () => {
  const bad = scopes[60]!;
  const { requests, logs, leased } = await askAllAgainst((asks) =>
    asks.some((a) => a.scope === bad) ? Response.json({ error: { message: "leases[9].scope is bad" } }, { status: 400 }) : Response.json({ grants: asks.map(grant) }),
  );
  expect(requests.map((r) => r.length)).toEqual([1, LEASE_REQUEST_LEVELS, LEASE_REQUEST_LEVELS, LEASE_REQUEST_LEVELS, LEASE_REQUEST_LEVELS]);
  const refused = requests.find((r) => r.includes(bad))!;
  expect(leased).toEqual(scopes.filter((s) => !refused.includes(s)));
  expect(logs).toEqual(["leases: the control plane refused the lease request (400: leases[9].scope is bad); enforcing the leases held"]);
});

test("a control plane out of reach (connection refused) gets one attempt per cycle", async () => {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = probe.port;
  probe.stop(true);
  let attempts = 0;
  const logs: string[] = [];
  const leases = startLeaseClient({
    controlPlaneUrl: `http://127.0.0.1:${port}`,
    regionToken: "regtok_x",
    proxyId: "prx_test",
    ledger: createMemoryBudgetLedger(),
    refreshMs: 60_000,
    log: (l) => logs.push(l),
  });
  stops.push(() => leases.stop());
  await leases.ask(scopes[0]!, period);
  const realFetch = globalThis.fetch;
  globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
    attempts++;
    return realFetch(...args);
  }) as typeof fetch;
  try {
    await Promise.all(scopes.slice(1).map((s) => leases.ask(s, period)));
  } finally {
    globalThis.fetch = realFetch;
  }
  // The 200 levels asked after the first cycle failed: one cycle of four requests' worth, one attempt.
  expect(attempts).toBe(1);
  expect(logs).toHaveLength(1);
  expect(logs[0]).toStartWith("leases: cannot reach the control plane (");
});

test("a 500 (the control plane failed serving one request's levels) costs only those; the line names what ended a cycle", async () => {
  // lease.route.ts serves a request's levels in one handler: one level whose serving throws is a 500 for
  // its request alone. Ending the cycle there starved every level sent after it, cycle after cycle
  // (final read r1's finding 1): 1 of 200 leased.
  const bad = scopes[60]!;
  const { requests, logs, leased } = await askAllAgainst((asks) =>
    asks.some((a) => a.scope === bad) ? Response.json({ error: { message: "internal error" } }, { status: 500 }) : Response.json({ grants: asks.map(grant) }),
  );
  expect(requests.map((r) => r.length)).toEqual([1, LEASE_REQUEST_LEVELS, LEASE_REQUEST_LEVELS, LEASE_REQUEST_LEVELS, LEASE_REQUEST_LEVELS]);
  const failed = requests.find((r) => r.includes(bad))!;
  expect(leased).toEqual(scopes.filter((s) => !failed.includes(s)));
  expect(logs).toEqual(["leases: the control plane failed the lease request (500: internal error); enforcing the leases held"]);
});

test("the cycle's line names the failure that ended it when an earlier request failed otherwise", async () => {
  let answered = 0;
  const { logs } = await askAllAgainst(() =>
    ++answered === 1 ? Response.json({ error: { message: "leases[0].scope is bad" } }, { status: 400 }) : Response.json({ error: { message: "database unavailable" } }, { status: 503 }),
  );
  expect(logs).toEqual([
    "leases: the control plane refused the lease request (400: leases[0].scope is bad) (2 of the cycle's 2 lease requests failed) (the cycle's 2 later lease requests not sent: the control plane failed the lease request (503: database unavailable)); enforcing the leases held",
  ]);
});

test("a control plane answering 500 to every request gets two requests per cycle, not one per chunk", async () => {
  // A 500 on every request is the whole control plane failing (a read-only database after a failover,
  // a statement timeout, a bad deploy): two in a row end the cycle (final read s1's finding 3).
  const { requests, leased } = await askAllAgainst(() => Response.json({ error: { message: "internal error" } }, { status: 500 }));
  expect(requests.map((r) => r.length)).toEqual([1, LEASE_REQUEST_LEVELS, LEASE_REQUEST_LEVELS]);
  expect(leased).toEqual([scopes[0]!]);
});
