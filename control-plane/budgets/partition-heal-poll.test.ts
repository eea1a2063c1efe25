/**
 * A snapshot poll shows a region reaches the control plane, not that its usage outbox has shipped
 * (review FR3's repro of fcf3e51). US, cut off past its lease's life + grace, spent its whole grant;
 * the usage waits in its outbox. On the heal its snapshot loop (backoff up to 32 s) and its usage
 * flusher (backoff up to 30 s + jitter) resume independently: a poll landing first released US's
 * grant down to its ledger spend (0), EU was granted the whole cap and the ledger ended at 1,600,000
 * of 1,000,000 once the outbox shipped. Proxies now report their outbox backlog on each poll
 * (x-usage-outbox-pending): a region is heard from only when every proxy of it seen since the lapse
 * last reported 0; one sending no count (an older proxy) is not. The database times polls.
 */
import { expect, test } from "bun:test";
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

/** A capped tenant whose lease US was granted 600,000 of, 10 minutes ago (lapsed now). */
async function usGrantedLongAgo(name: string) {
  const id = await r.tenant(name, CAP);
  await r.key(id, null);
  const scope = `ten:${id}`;
  const start = new Date(Date.now() - 10 * 60_000);
  const period = `day:${start.toISOString().slice(0, 10)}`;
  expect(await serveLease(r.sql, "us", { scope, period, spentMicros: 0, needMicros: 600_000 }, policy, start)).toMatchObject({ grantedMicros: 600_000 });
  /** EU asks for the whole cap (its grant; the level is managed). */
  const euAsks = async () => {
    const grant = await serveLease(r.sql, "eu", { scope, period, spentMicros: 0, needMicros: CAP }, policy, new Date());
    if (!grant.managed) throw new Error("the level is not managed");
    return grant;
  };
  return { id, start, euAsks };
}

test("a poll reporting usage still in the outbox keeps the grant held; one reporting it shipped releases it", async () => {
  const { id, start, euAsks } = await usGrantedLongAgo("partition-heal");
  // The partition heals: US's snapshot loop polls first, its outbox still holding the 600,000 it spent.
  expect(await r.poll("us", "us-replica-1", 3)).toBeOneOf([200, 404]);
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

test("one replica reporting a backlog holds the grant, whatever the others report", async () => {
  const { euAsks } = await usGrantedLongAgo("two-replicas");
  expect(await r.poll("us", "us-pair-1", 0)).toBeOneOf([200, 404]);
  expect(await r.poll("us", "us-pair-2", 12)).toBeOneOf([200, 404]);
  expect((await euAsks()).grantedMicros).toBe(400_000);
  expect(await r.poll("us", "us-pair-2", 0)).toBeOneOf([200, 404]);
});

test("a proxy that reports no backlog (older than the header) does not count as heard", async () => {
  const { euAsks } = await usGrantedLongAgo("old-proxy");
  // Every US replica polled above reported 0 by now; this one sends no count.
  expect(await r.poll("us", "us-old-1")).toBeOneOf([200, 404]);
  expect((await euAsks()).grantedMicros).toBe(400_000);
  const [row] = await r.sql<{ pending: string | null }[]>`select usage_outbox_pending::text as pending from proxies where region = 'us' and id = 'us-old-1'`;
  expect(row!.pending).toBeNull();
});
