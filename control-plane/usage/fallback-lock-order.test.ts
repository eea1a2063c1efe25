/**
 * A batch the database refuses one event of goes through the one-at-a-time fallback (insertEachStorable).
 * Inserted one event per statement, each statement's spend-bucket trigger (migration 0099) locked that
 * event's key bucket and then the tenant bucket, so across the transaction the order was K_a, T, K_b,
 * T...: a concurrent normal batch of the same tenant's keys, locking its key buckets sorted and then T,
 * closed a cycle (40P01, the batch a 500). The fallback now only finds the refused events (each tried
 * in a savepoint rolled back) and inserts the rest in one statement, as a normal batch does.
 */
import { beforeAll, expect, test } from "bun:test";
import { addKey } from "../testing/add-key.ts";
import { useUsageIngest } from "./use-usage-ingest.ts";

const ingest = useUsageIngest();
const keys: string[] = [];

beforeAll(async () => {
  // An event the database itself refuses (no parse rule does): its batch takes the fallback path.
  await ingest.sql`alter table usage_events add constraint test_refused_alias check (alias <> 'refused-by-db')`;
  for (let i = 0; i < 30; i++) keys.push(await addKey(ingest.t.admin, ingest.s.tenantId, { name: `fallback-order-${i}` }));
  keys.sort();
});

for (const order of ["ascending", "descending"] as const) {
  test(`a fallback batch (keys ${order}) and two normal batches of the same keys all answer 200, without a deadlock; the ledger and buckets hold each event once`, async () => {
    const time = new Date(Date.now() - 60_000).toISOString();
    const statuses: number[] = [];
    const bodies: string[] = [];
    const walked = order === "ascending" ? keys : [...keys].reverse();
    for (let round = 0; round < 4; round++) {
      const fallback = [
        ingest.event(`evt_fb_bad_${order}_${round}`, { alias: "refused-by-db", time }),
        ...walked.map((keyId, i) => ingest.event(`evt_fb_${order}_${round}_${i}`, { keyId, time, costMicros: 1 })),
      ];
      const normal = keys.map((keyId, i) => ingest.event(`evt_fb_n_${order}_${round}_${i}`, { keyId, time, costMicros: 1 }));
      const sends = [fallback, normal, normal.map((e) => ({ ...e, eventId: `${e.eventId}_b` }))];
      const responses = await Promise.all(sends.map((events) => ingest.post({ events })));
      for (const r of responses) {
        statuses.push(r.status);
        bodies.push(await r.text());
      }
    }
    const failed = bodies.filter((_, i) => statuses[i] !== 200);
    expect({ failed: failed.slice(0, 1), deadlockLogs: ingest.t.logs.filter((l) => /deadlock/i.test(l)).slice(0, 1) }).toEqual({ failed: [], deadlockLogs: [] });
    // Each fallback batch stored its 30 good events and dead-lettered the refused one.
    const acks = bodies.filter((_, i) => i % 3 === 0).map((b) => JSON.parse(b) as { accepted: number; rejected: { eventId: string }[] });
    expect(acks.map((a) => [a.accepted, a.rejected.map((r) => r.eventId)])).toEqual([0, 1, 2, 3].map((round) => [30, [`evt_fb_bad_${order}_${round}`]]));
    const [ledger] = await ingest.sql<[{ n: number }]>`select count(*)::int as n from usage_events where event_id like ${`evt_fb_%${order}_%`}`;
    expect(ledger.n).toBe(4 * 90);
    const [stored] = await ingest.sql<[{ n: number }]>`select count(*)::int as n from usage_events where event_id = ${`evt_fb_bad_${order}_0`}`;
    expect(stored.n).toBe(0);
  }, 60_000);
}

test("the spend buckets equal the raw ledger after the fallback batches", async () => {
  const [diff] = await ingest.sql<[{ n: number }]>`
    select count(*)::int as n from (
      (select key_id, usage_spend_bucket(time), region, sum(cost_micros)::numeric, count(*) from usage_events group by 1, 2, 3
       except select key_id, bucket_start, region, cost_micros, events from usage_key_spend_buckets)
      union all
      (select key_id, bucket_start, region, cost_micros, events from usage_key_spend_buckets
       except select key_id, usage_spend_bucket(time), region, sum(cost_micros)::numeric, count(*) from usage_events group by 1, 2, 3)) d`;
  expect(diff.n).toBe(0);
});
