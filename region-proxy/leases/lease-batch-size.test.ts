/**
 * The client sends a cycle's levels in requests of LEASE_REQUEST_LEVELS (50; the control plane takes at
 * most MAX_LEASE_LEVELS): a replica holding more levels than the control plane takes in one request
 * (so eleven requests a cycle here) still gets every one of them leased, first asks and the timer's
 * re-asks alike, and a request the control plane refuses is logged as refused, not as a control plane
 * out of reach.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { MAX_LEASE_LEVELS } from "../../shared/leases/lease-wire.ts";
import { useTestControlPlane } from "../../control-plane/testing/test-control-plane.ts";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { LEASE_REQUEST_LEVELS, startLeaseClient, type LeaseClient, type LeaseClientOptions } from "./lease-client.ts";

const t = useTestControlPlane();
const clients: LeaseClient[] = [];
const day = `day:${new Date().toISOString().slice(0, 10)}`;
const month = `month:${new Date().toISOString().slice(0, 7)}`;
// A daily and a monthly budget per key: two levels each, one more key than the control plane takes in one request.
const keyCount = MAX_LEASE_LEVELS / 2 + 1;
let token: string;
const levels: { scope: string; period: string }[] = [];

function client(options: Partial<LeaseClientOptions>) {
  const leases = startLeaseClient({ controlPlaneUrl: t.cp.url, regionToken: token, proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, ...options });
  clients.push(leases);
  return leases;
}

beforeAll(async () => {
  token = (await t.admin.request<{ createRegion: { token: string } }>(`mutation { createRegion(input: { name: "eu" }) { token } }`)).createRegion.token;
  const tenant = (await t.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "acme" }) { id } }`)).createTenant.id;
  for (let i = 0; i < keyCount; i++) {
    const input = { tenantId: tenant, name: `k${i}`, dailyBudgetUsd: 1, monthlyBudgetUsd: 10 };
    const { createKey } = await t.admin.request<{ createKey: { key: { id: string } } }>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } } }`, { i: input });
    levels.push({ scope: `key:${createKey.key.id}`, period: day }, { scope: `key:${createKey.key.id}`, period: month });
  }
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.stop();
});

test("more levels than one request may carry: every level is leased, and the timer renews every one", async () => {
  expect(levels.length).toBeGreaterThan(MAX_LEASE_LEVELS);
  expect(LEASE_REQUEST_LEVELS).toBeLessThanOrEqual(MAX_LEASE_LEVELS);
  const logs: string[] = [];
  // With the client's 3 s request timeout: a 50-level request is served well within it.
  const leases = client({ refreshMs: 300, log: (line) => logs.push(line) });
  await Promise.all(levels.map((l) => leases.ask(l.scope, l.period)));
  const first = levels.map((l) => leases.view(l.scope, l.period));
  expect(first.filter((v) => v?.managed).length).toBe(levels.length);
  // Every 5 × refreshMs the timer re-asks every level: each one gets a newer answer.
  const deadline = Date.now() + 20_000;
  const renewed = () => levels.filter((l, i) => leases.view(l.scope, l.period)!.answeredAt > first[i]!.answeredAt).length;
  while (renewed() < levels.length && Date.now() < deadline) await Bun.sleep(100);
  expect(renewed()).toBe(levels.length);
  expect(levels.every((l) => leases.view(l.scope, l.period)?.managed)).toBe(true);
  expect(logs).toEqual([]);
}, 60_000);

test("a request the control plane refuses is logged as refused, with its status and message", async () => {
  const logs: string[] = [];
  const leases = client({ regionToken: "regtok_not_a_region", log: (line) => logs.push(line) });
  await leases.ask(levels[0]!.scope, levels[0]!.period);
  expect(leases.view(levels[0]!.scope, levels[0]!.period)).toBeUndefined();
  expect(logs).toEqual(["leases: the control plane refused the lease request (401: missing or invalid region token); enforcing the leases held"]);
});
