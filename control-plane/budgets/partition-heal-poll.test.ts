/**
 * A snapshot poll shows a region reaches the control plane, not that its usage outbox has shipped
 * (review FR3's repro of fcf3e51). US, cut off past its lease's life + grace, spent its whole grant;
 * the usage waits in its outbox. On the heal its snapshot loop (backoff up to 32 s) and its usage
 * flusher (backoff up to 30 s + jitter) resume independently: a poll landing first released US's
 * grant down to its ledger spend (0), EU was granted the whole cap and the ledger ended at 1,600,000
 * of 1,000,000 once the outbox shipped. Proxies now report on each poll how old the oldest usage event
 * their outbox has not shipped is (x-usage-outbox-oldest-age-ms, 0 when none): a region is heard from
 * only when every proxy of it seen since the lapse last reported its outbox drained past the lapse
 * (poll time − age later than it); one sending no age (an older proxy) is not. A busy region, whose
 * outbox is never empty at a poll but holds only events recorded since the lapse, is (review: it held
 * its grant all period while it had to read 0). The database times polls.
 */
import { expect, test } from "bun:test";
import { localDateText } from "../../shared/time/local-date.ts";
import { DEFAULT_LEASE_POLICY } from "./grant-lease.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { serveLease } from "./serve-lease.ts";

const r = useLeaseRegions();
const CAP = 1_000_000;
const policy = DEFAULT_LEASE_POLICY;

async function usage(region: string, tenantId: string, time: Date, costMicros: number): Promise<void> {
  await r.sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
    values (${`evt_${crypto.randomUUID()}`}, ${time}, 'req_x', ${region}, 1, ${tenantId}, 'key_x', 'chat', 'chat', false, 1, 1, 0, 0, 0, ${costMicros}, 5, 'ok', 1)`;
}

/**
 * The org's zone: one whose day holds the whole scenario, from `start` to a minute from now. UTC, unless
 * a UTC midnight falls in between (a run in 00:00-00:10 UTC booked EU's spend, made now, in the day
 * after the level's, and one in 00:09:30-00:10 US's too, at start + 30 s: EU was then granted the whole
 * cap); else UTC+12 (no DST), whose midnight is 12 hours away. The polls are timed by the database, so
 * the scenario's times cannot be set.
 */
function zoneHolding(start: Date): string {
  return localDateText(start, "UTC") === localDateText(Date.now() + 60_000, "UTC") ? "UTC" : "Etc/GMT-12";
}

/** A capped tenant whose lease US was granted 600,000 of, 10 minutes ago (lapsed 6 min 50 s ago: 60 s + 130 s later). */
async function usGrantedLongAgo(name: string) {
  const id = await r.tenant(name, CAP);
  await r.key(id, null);
  const scope = `ten:${id}`;
  const start = new Date(Date.now() - 10 * 60_000);
  const zone = zoneHolding(start);
  await r.sql`update tenants set time_zone = ${zone} where id = ${id}`;
  const period = `day:${localDateText(start, zone)}`;
  expect(await serveLease(r.sql, "us", { scope, period, spentMicros: 0, needMicros: 600_000 }, policy, start)).toMatchObject({ grantedMicros: 600_000 });
  /** EU asks for the whole cap (its grant; the level is managed). */
  const euAsks = async () => {
    const grant = await serveLease(r.sql, "eu", { scope, period, spentMicros: 0, needMicros: CAP }, policy, new Date());
    if (!grant.managed) throw new Error("the level is not managed");
    return grant;
  };
  return { id, start, euAsks };
}

/** The age now of an event recorded `afterStartMs` after `start`. */
const ageOf = (start: Date, afterStartMs: number) => Date.now() - (start.getTime() + afterStartMs);

test("a poll reporting usage from before the lapse still in the outbox keeps the grant held; one reporting it shipped releases it", async () => {
  const { id, start, euAsks } = await usGrantedLongAgo("partition-heal");
  // The partition heals: US's snapshot loop polls first, its outbox still holding the 600,000 it spent 30 s after the grant.
  expect(await r.poll("us", "us-replica-1", ageOf(start, 30_000))).toBeOneOf([200, 404]);
  const eu = await euAsks();
  expect(eu.grantedMicros).toBe(400_000);
  await usage("eu", id, new Date(), eu.grantedMicros);
  // The outbox ships, then the next poll reports it empty: US's spend is the ledger's, nothing is left.
  await usage("us", id, new Date(start.getTime() + 30_000), 600_000);
  expect(await r.poll("us", "us-replica-1", 0)).toBeOneOf([200, 404]);
  expect(await euAsks()).toMatchObject({ grantedMicros: 400_000, exhausted: true });
  const [row] = await r.sql<{ n: string }[]>`select coalesce(sum(cost_micros), 0)::text as n from usage_events where tenant_id = ${id}`;
  expect(Number(row!.n)).toBe(CAP);
});

test("an empty outbox on a healthy region releases its unspent grant", async () => {
  const { euAsks } = await usGrantedLongAgo("idle-us");
  expect(await r.poll("us", "us-idle-1", 0)).toBeOneOf([200, 404]);
  expect(await euAsks()).toMatchObject({ grantedMicros: CAP });
});

test("a busy region, its outbox never empty at a poll but holding only usage recorded since the lapse, is heard from", async () => {
  const { euAsks } = await usGrantedLongAgo("busy-us");
  // US serves other tenants: every poll finds events its flusher ships about a second later.
  expect(await r.poll("us", "us-busy-1", 900)).toBeOneOf([200, 404]);
  expect(await r.poll("us", "us-busy-2", 1_400)).toBeOneOf([200, 404]);
  expect(await euAsks()).toMatchObject({ grantedMicros: CAP });
  // An event recorded just before the lapse, still unshipped, holds it.
  const held = await usGrantedLongAgo("busy-us-lapse-edge");
  expect(await r.poll("us", "us-busy-1", ageOf(held.start, 60_000 + 130_000 - 1_000))).toBeOneOf([200, 404]);
  expect((await held.euAsks()).grantedMicros).toBe(400_000);
  expect(await r.poll("us", "us-busy-1", 0)).toBeOneOf([200, 404]);
});

test("one replica reporting a backlog holds the grant, whatever the others report", async () => {
  const { euAsks } = await usGrantedLongAgo("two-replicas");
  expect(await r.poll("us", "us-pair-1", 0)).toBeOneOf([200, 404]);
  expect(await r.poll("us", "us-pair-2", 9 * 60_000)).toBeOneOf([200, 404]);
  expect((await euAsks()).grantedMicros).toBe(400_000);
  expect(await r.poll("us", "us-pair-2", 0)).toBeOneOf([200, 404]);
});

test("a proxy that reports no age (older than the header) does not count as heard", async () => {
  const { euAsks } = await usGrantedLongAgo("old-proxy");
  // Every US replica polled above reported 0 by now; this one sends no age.
  expect(await r.poll("us", "us-old-1")).toBeOneOf([200, 404]);
  expect((await euAsks()).grantedMicros).toBe(400_000);
  const [row] = await r.sql<{ drained: Date | null }[]>`select usage_drained_up_to as drained from proxies where region = 'us' and id = 'us-old-1'`;
  expect(row!.drained).toBeNull();
});
