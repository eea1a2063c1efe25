/**
 * Concurrent usage batches over the same spend buckets (usage_key_spend_buckets then usage_tenant_spend_buckets, upserted by the insert's
 * statement trigger in the ingest transaction) must not deadlock: each statement upserts its buckets in
 * one order (key or tenant, bucket, region), whatever order the batches list their events in. And the
 * buckets hold exactly what the batches stored, each event once.
 */
import { expect, test } from "bun:test";
import { addKey } from "../testing/add-key.ts";
import { useUsageIngest } from "./use-usage-ingest.ts";

const ingest = useUsageIngest();

test("8 concurrent batches over the same keys and buckets, half in reverse order, all accepted; the buckets equal the raw ledger", async () => {
  const keys: string[] = [];
  for (let i = 0; i < 12; i++) keys.push(await addKey(ingest.t.admin, ingest.s.tenantId, { name: `bucket-order-${i}` }));
  const base = Date.now() - 3_600_000;
  const statuses: number[] = [];
  for (let round = 0; round < 3; round++) {
    const batches = Array.from({ length: 8 }, (_, proxy) => {
      // 12 keys x 4 buckets: every batch touches the same 48 buckets.
      const events = Array.from({ length: 48 }, (_, i) =>
        ingest.event(`evt_bkt_${round}_${proxy}_${i}`, { keyId: keys[i % 12], time: new Date(base + Math.floor(i / 12) * 15 * 60_000).toISOString(), costMicros: 1 + i }),
      );
      return proxy % 2 ? events.reverse() : events;
    });
    // Every other proxy also re-sends the previous proxy's batch: duplicates must not count.
    const sends = batches.flatMap((events, proxy) => (proxy % 2 ? [events, batches[proxy - 1]!] : [events]));
    statuses.push(
      ...(await Promise.all(
        sends.map(async (events) => {
          const response = await ingest.post({ events });
          await response.arrayBuffer();
          return response.status;
        }),
      )),
    );
  }
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  expect(ingest.t.logs.filter((l) => /deadlock/i.test(l))).toEqual([]);
  const [raw] = await ingest.sql<[{ n: number; cost: string }]>`select count(*)::int as n, sum(cost_micros)::text as cost from usage_events where key_id in ${ingest.sql(keys)}`;
  const [byKey] = await ingest.sql<[{ n: number; cost: string; buckets: number }]>`
    select sum(events)::int as n, sum(cost_micros)::text as cost, count(*)::int as buckets from usage_key_spend_buckets where key_id in ${ingest.sql(keys)}`;
  const [byTenant] = await ingest.sql<[{ n: number; cost: string; buckets: number }]>`
    select sum(events)::int as n, sum(cost_micros)::text as cost, count(*)::int as buckets from usage_tenant_spend_buckets where tenant_id = ${ingest.s.tenantId}`;
  expect(raw).toEqual({ n: 3 * 8 * 48, cost: String(3 * 8 * ((48 * 49) / 2)) });
  expect(byKey).toEqual({ ...raw, buckets: 48 });
  expect(byTenant).toEqual({ ...raw, buckets: 4 });
}, 30_000);
