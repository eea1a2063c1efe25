/**
 * An expired lease's room stays held against the cap until its region asks again or the period ends.
 * A region cut off from the control plane (or a crashed proxy whose durable outbox ships on restart)
 * may have spent its whole lease without the control plane seeing any of it: giving the unused part
 * to another region once the lease had expired past its grace (review J's repro: US partitioned past
 * 60 s + 130 s, EU grown into US's room, US's outbox shipping on heal) put the ledger at $1.264 against
 * a $1 cap. Clocks are set: no test here waits for a lease to expire.
 */
import { expect, test } from "bun:test";
import { DEFAULT_LEASE_POLICY } from "./grant-lease.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { serveLease } from "./serve-lease.ts";

const r = useLeaseRegions();
const CAP = 1_000_000;
const policy = DEFAULT_LEASE_POLICY;
/** Past the lease's life and the reclaim grace after a grant at `start`. */
const pastGrace = (start: Date) => new Date(start.getTime() + policy.ttlMs + policy.reclaimGraceMs + 1000);

async function openLevel(name: string): Promise<string> {
  const id = await r.tenant(name, CAP);
  await r.key(id, null);
  return `ten:${id}`;
}

async function usage(region: string, scope: string, time: string, costMicros: number): Promise<void> {
  await r.sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
    values (${`evt_${crypto.randomUUID()}`}, ${time}, 'req_x', ${region}, 1, ${scope.slice(4)}, 'key_x', 'chat', 'chat', false, 1, 1, 0, 0, 0, ${costMicros}, 5, 'ok', 1)`;
}

async function ledgerTotal(scope: string): Promise<number> {
  const [row] = await r.sql<{ n: string }[]>`select coalesce(sum(cost_micros), 0)::text as n from usage_events where tenant_id = ${scope.slice(4)}`;
  return Number(row!.n);
}

test("a region silent past its lease's life and grace keeps its room: another region cannot grow into it, and the ledger stays within the cap when its usage lands", async () => {
  const scope = await openLevel("partitioned");
  const period = "day:2026-11-23";
  const start = new Date("2026-11-23T10:00:00Z");
  const us = await serveLease(r.sql, "us", { scope, period, spentMicros: 0, needMicros: 600_000 }, policy, start);
  expect(us).toMatchObject({ managed: true, grantedMicros: 600_000 });
  // US is cut off from the control plane and spends its whole lease before it expires; its usage waits in its outbox.
  const eu = await serveLease(r.sql, "eu", { scope, period, spentMicros: 0, needMicros: 900_000 }, policy, pastGrace(start));
  expect(eu).toMatchObject({ grantedMicros: 400_000, exhausted: true });
  // EU spends all it was granted, then US's outbox ships.
  await usage("eu", scope, "2026-11-23T10:04:00Z", 400_000);
  await usage("us", scope, "2026-11-23T10:00:30Z", 600_000);
  expect(await ledgerTotal(scope)).toBeLessThanOrEqual(CAP);
});

test("the silent region's next ask reports what it spent: the rest of its room is released then", async () => {
  const scope = await openLevel("returning");
  const period = "day:2026-11-23";
  const start = new Date("2026-11-23T10:00:00Z");
  await serveLease(r.sql, "us", { scope, period, spentMicros: 0, needMicros: 600_000 }, policy, start);
  const back = pastGrace(start);
  // US comes back having spent 200,000 of its 600,000: its ask sizes a fresh grant from that spend.
  const us = await serveLease(r.sql, "us", { scope, period, spentMicros: 200_000 }, policy, back);
  expect(us).toMatchObject({ grantedMicros: 200_000 + 50_000, exhausted: false });
  // EU may now grow into what US did not spend.
  const eu = await serveLease(r.sql, "eu", { scope, period, spentMicros: 0, needMicros: 700_000 }, policy, new Date(back.getTime() + 1000));
  expect(eu).toMatchObject({ grantedMicros: 700_000, exhausted: false });
});

test("a silent region's room is held only for its period: the next period starts afresh", async () => {
  const scope = await openLevel("next-day");
  const start = new Date("2026-11-23T10:00:00Z");
  await serveLease(r.sql, "us", { scope, period: "day:2026-11-23", spentMicros: 0, needMicros: CAP }, policy, start);
  const eu = await serveLease(r.sql, "eu", { scope, period: "day:2026-11-24", spentMicros: 0, needMicros: 900_000 }, policy, new Date("2026-11-24T00:00:01Z"));
  expect(eu).toMatchObject({ grantedMicros: 900_000, exhausted: false });
});
