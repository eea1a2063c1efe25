/**
 * The heard-from check runs inside serveLease's level lock and in every budgetStatus: it must not read
 * budget_leases, which is never pruned (a row per capped level, period and region: ~730,000 a year at
 * 1,000 levels and two regions). Since fcf3e51 it asked `budget_leases where region = $1 and expires_at > $2`
 * with no index on those columns, a sequential scan of the whole table per lapsed lease (55 ms at 730k
 * rows, review FR3). It now reads the region's proxies alone (their (region, id) key): a lease ask for
 * another level no longer counts as heard (partition-heal-poll.test.ts). Here budget_leases is locked
 * by another session while the check runs: a read of it would wait and fail at the lock timeout.
 */
import { expect, test } from "bun:test";
import { DEFAULT_LEASE_POLICY } from "./grant-lease.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { heardSinceLapse } from "./region-heard.repo.ts";

const r = useLeaseRegions();
const policy = DEFAULT_LEASE_POLICY;

test("the heard-from check does not read budget_leases", async () => {
  expect(await r.poll("us", "us-replica-1", 0)).toBeOneOf([200, 404]);
  const lapsed = [{ region: "us", expiresAt: new Date(Date.now() - 10 * 60_000) }, { region: "eu", expiresAt: new Date(Date.now() - 10 * 60_000) }];
  const locker = r.t.openSql(1);
  const heard = await locker.begin(async (lock) => {
    await lock`lock table budget_leases in access exclusive mode`;
    return r.sql.begin(async (tx) => {
      await tx`set local lock_timeout = '2s'`;
      return heardSinceLapse(tx, lapsed, new Date(), policy);
    });
  });
  // The lock held throughout, and the answer is still right: US polled with an empty outbox, EU never polled.
  expect([...heard]).toEqual(["us"]);
});
