/**
 * A region heard from since its lease lapsed no longer holds that lease's unspent grant (review FR2's
 * repro of 6328ec6). The proxy's lease client forgets a level unused for 600 s and never asks for it
 * again, so a tenant whose traffic moved from US to EU lost US's unspent grant until the period ended,
 * though US stayed healthy. The hold is for a region whose usage may be stuck (cut off, crashed): once
 * its proxies poll after the lapse reporting their usage outboxes drained past it, its usage is in the ledger,
 * whose spend then counts. A lease ask for another level does not show that (review FR3: the lease
 * client and the usage flusher resume apart after a partition). A region silent since keeps it held
 * (expired-lease-held.test.ts; partition-heal-poll.test.ts for backlogs). Clocks are set, except for
 * snapshot polls, which the database times.
 */
import { expect, test } from "bun:test";
import { DEFAULT_LEASE_POLICY } from "./grant-lease.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { serveLease } from "./serve-lease.ts";
import { levelStatus } from "./budget-status.service.ts";

const r = useLeaseRegions();
const CAP = 1_000_000;
const policy = DEFAULT_LEASE_POLICY;
const at = (start: Date, ms: number) => new Date(start.getTime() + ms);
/** Past the lease's life and the reclaim grace after a grant at `start`. */
const pastGrace = (start: Date) => at(start, policy.ttlMs + policy.reclaimGraceMs + 1000);

async function openLevel(name: string): Promise<string> {
  const id = await r.tenant(name, CAP);
  await r.key(id, null);
  return `ten:${id}`;
}

/** US is granted 400,000 at `start` and reports 100,000 spent 30 s later, its last ask for the level. */
async function usServedThenIdle(scope: string, period: string, start: Date): Promise<void> {
  await serveLease(r.sql, "us", { scope, period, spentMicros: 0, needMicros: 400_000 }, policy, start);
  await serveLease(r.sql, "us", { scope, period, spentMicros: 100_000 }, policy, at(start, 30_000));
}

test("a lease ask for another level does not release a lapsed grant: its usage may not have shipped", async () => {
  const moved = await openLevel("moved-traffic");
  const other = await openLevel("still-served");
  const period = "day:2026-11-23";
  const start = new Date("2026-11-23T08:00:00Z");
  await usServedThenIdle(moved, period, start);
  // The tenant's traffic moves to EU. US stays healthy and keeps asking for the levels it still uses.
  for (let m = 1; m <= 60; m += 10) await serveLease(r.sql, "us", { scope: other, period, spentMicros: 0 }, policy, at(start, m * 60_000));
  const hourLater = at(start, 3_600_000);
  expect(await levelStatus(r.sql, moved, period, hourLater)).toMatchObject({ reservedMicros: "300000" });
  const eu = await serveLease(r.sql, "eu", { scope: moved, period, spentMicros: 0, needMicros: 900_000 }, policy, hourLater);
  // CAP − US's whole grant (400,000), held.
  expect(eu).toMatchObject({ grantedMicros: 600_000, exhausted: true });
});

test("a region asking only before its lease lapsed still holds it", async () => {
  const moved = await openLevel("asked-before-lapse");
  const other = await openLevel("asked-before-lapse-other");
  const period = "day:2026-11-23";
  const start = new Date("2026-11-23T12:00:00Z");
  await usServedThenIdle(moved, period, start);
  // Within the lease's life and grace: not yet proof that its usage since reaches the ledger.
  await serveLease(r.sql, "us", { scope: other, period, spentMicros: 0 }, policy, at(start, 120_000));
  const eu = await serveLease(r.sql, "eu", { scope: moved, period, spentMicros: 0, needMicros: 900_000 }, policy, at(start, 3_600_000));
  expect(eu).toMatchObject({ grantedMicros: 600_000, exhausted: true });
});

// Last: the poll below is timed by the database, today, after the set clocks above (a region is heard from on every level).
test("a snapshot poll after the lapse reporting an outbox drained past it releases the unspent grant; one before it does not", async () => {
  const polledLate = await openLevel("polled-after-lapse");
  const polledEarly = await openLevel("polled-before-lapse");
  // The database times polls: this level's lease lapsed before the poll below, the other's after it.
  const start = new Date(Date.now() - 10 * 60_000);
  const period = `day:${start.toISOString().slice(0, 10)}`;
  await usServedThenIdle(polledLate, period, start);
  expect(await r.poll("us", "us-replica-1", 0)).toBeOneOf([200, 404]);
  const now = new Date();
  expect(await serveLease(r.sql, "eu", { scope: polledLate, period, spentMicros: 0, needMicros: 900_000 }, policy, now)).toMatchObject({ grantedMicros: 900_000 });

  const earlyPeriod = `day:${now.toISOString().slice(0, 10)}`;
  await usServedThenIdle(polledEarly, earlyPeriod, now);
  const eu = await serveLease(r.sql, "eu", { scope: polledEarly, period: earlyPeriod, spentMicros: 0, needMicros: 900_000 }, policy, pastGrace(at(now, 30_000)));
  expect(eu).toMatchObject({ grantedMicros: 600_000, exhausted: true });
});
