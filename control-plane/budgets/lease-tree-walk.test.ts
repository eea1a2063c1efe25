/**
 * A tenant level's lease ask reads the level's subtree once, in its transaction after the level's lock,
 * and both the check that the asking region serves the level (lease-region.repo.ts) and the ledger sum
 * use it: the check listed the subtree with a recursive CTE of its own, so every ask walked the tree twice.
 */
import { expect, test } from "bun:test";
import { usePlanDatabase, type Statement } from "../testing/statement-plans.ts";
import { serveLease } from "./serve-lease.ts";

const db = usePlanDatabase();
const AT = new Date("2026-03-10T12:00:00Z");
const ask = { scope: "ten:ten_a", period: "day:2026-03-10", spentMicros: 0 };

const treeWalks = (statements: Statement[]) => statements.filter((s) => /with recursive/i.test(s.query) && /parent_id = sub\.id/i.test(s.query));
const lockAt = (statements: Statement[]) => statements.findIndex((s) => s.query.includes("pg_advisory_xact_lock"));

test("a lease ask for a tenant level, served or refused, walks the tenant tree once, after the level's lock", async () => {
  await db.sql`insert into regions (name, token_hash) values ('eu', 'eu'), ('us', 'us')`;
  await db.sql`update tenants set daily_budget_micros = 1000000000 where id = 'ten_a'`;
  // ten_a's keys are carried by eu alone: us serves no key of the level.
  await db.sql`update gateway_keys set allowed_regions = '{eu}' where tenant_id in ('ten_a', 'ten_a1', 'ten_a2')`;
  let served: Awaited<ReturnType<typeof serveLease>> | undefined;
  const asked = await db.capture(async (q) => (served = await serveLease(q as never, "eu", ask, undefined, AT)));
  expect(served).toMatchObject({ managed: true, exhausted: false });
  expect((served as { grantedMicros: number }).grantedMicros).toBeGreaterThan(0);
  expect(treeWalks(asked).length).toBe(1);
  expect(asked.indexOf(treeWalks(asked)[0]!)).toBeGreaterThan(lockAt(asked));

  let refused: Awaited<ReturnType<typeof serveLease>> | undefined;
  const refusedAsk = await db.capture(async (q) => (refused = await serveLease(q as never, "us", ask, undefined, AT)));
  // Refused: no room beyond the region's own ledger spend (the subtree's us events of the day).
  const [us] = await db.sql<[{ spent: number }]>`
    select coalesce(sum(cost_micros), 0)::int as spent from usage_events
    where tenant_id in ('ten_a', 'ten_a1', 'ten_a2') and region = 'us' and time >= '2026-03-10' and time < '2026-03-11'`;
  expect(us.spent).toBeGreaterThan(0);
  expect(refused).toMatchObject({ managed: true, exhausted: true, grantedMicros: us.spent, ledgerSpentMicros: us.spent });
  expect(treeWalks(refusedAsk).length).toBe(1);
  const [{ n }] = await db.sql<[{ n: number }]>`select count(*)::int as n from budget_leases where region = 'us'`;
  expect(n).toBe(0);
});
