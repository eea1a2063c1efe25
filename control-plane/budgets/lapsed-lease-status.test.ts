/**
 * budgetStatus/limitStatus (levelStatus) report as reserved what grantLease holds against the cap: a
 * lease whose region has not been heard from since it lapsed keeps its unspent grant held (6328ec6),
 * so it is reserved, not remaining (review FR2's repro: remaining showed room no region could be granted).
 */
import { expect, test } from "bun:test";
import { DEFAULT_LEASE_POLICY } from "./grant-lease.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { serveLease } from "./serve-lease.ts";
import { levelStatus } from "./budget-status.service.ts";

const r = useLeaseRegions();
const CAP = 1_000_000;
const policy = DEFAULT_LEASE_POLICY;

test("a lapsed lease's held room is reserved, and remaining is what another region can be granted", async () => {
  const id = await r.tenant("lapsed-status", CAP);
  await r.key(id, null);
  const scope = `ten:${id}`;
  const period = "day:2026-11-23";
  const start = new Date("2026-11-23T10:00:00Z");
  await serveLease(r.sql, "us", { scope, period, spentMicros: 0, needMicros: 600_000 }, policy, start);
  const later = new Date(start.getTime() + policy.ttlMs + policy.reclaimGraceMs + 1000);
  const status = await levelStatus(r.sql, scope, period, later);
  expect(status).toMatchObject({ reservedMicros: "600000", remainingMicros: "400000" });
  // What EU can be granted now, asking for everything.
  const eu = await serveLease(r.sql, "eu", { scope, period, spentMicros: 0, needMicros: CAP }, policy, later);
  expect(eu).toMatchObject({ grantedMicros: 400_000, exhausted: true });
});

test("a lease expired but within its grace is still reserved", async () => {
  const id = await r.tenant("grace-status", CAP);
  await r.key(id, null);
  const scope = `ten:${id}`;
  const period = "day:2026-11-23";
  const start = new Date("2026-11-23T11:00:00Z");
  await serveLease(r.sql, "us", { scope, period, spentMicros: 0, needMicros: 300_000 }, policy, start);
  const inGrace = new Date(start.getTime() + policy.ttlMs + 1000);
  expect(await levelStatus(r.sql, scope, period, inGrace)).toMatchObject({ reservedMicros: "300000", remainingMicros: "700000" });
});
