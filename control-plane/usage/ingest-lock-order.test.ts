/**
 * Concurrent usage batches (several proxies, or one proxy re-sending) must not deadlock each other:
 * the ingest transaction locks gateway_keys rows (last_used_at) and usage_events ids (the insert's
 * unique index) in one stable order, whatever order the batches list them in. A deadlock would abort
 * one transaction after deadlock_timeout (40P01) and its batch would answer 500.
 */
import { expect, test } from "bun:test";
import { addKey } from "../testing/add-key.ts";
import { useUsageIngest } from "./use-usage-ingest.ts";

const ingest = useUsageIngest();

const statusCounts = (statuses: number[]) => statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});

async function postAll(batches: unknown[][]): Promise<number[]> {
  return Promise.all(
    batches.map(async (events) => {
      const response = await ingest.post({ events });
      await response.arrayBuffer();
      return response.status;
    }),
  );
}

test("8 concurrent batches over the same 50 keys, half in reverse order, are all accepted", async () => {
  const keys: string[] = [];
  for (let i = 0; i < 50; i++) keys.push(await addKey(ingest.t.admin, ingest.s.tenantId, { name: `lock-order-${i}` }));
  const statuses: number[] = [];
  for (let round = 0; round < 3; round++) {
    const batches = Array.from({ length: 8 }, (_, proxy) => {
      const order = proxy % 2 ? [...keys].reverse() : keys;
      return order.map((keyId, i) => ingest.event(`evt_keys_${round}_${proxy}_${i}`, { time: new Date().toISOString(), keyId }));
    });
    statuses.push(...(await postAll(batches)));
  }
  expect(statusCounts(statuses)).toEqual({ 200: 24 });
  expect(ingest.t.logs.filter((l) => /deadlock/i.test(l))).toEqual([]);
  const [{ n }] = await ingest.sql<[{ n: number }]>`select count(*)::int as n from gateway_keys where id in ${ingest.sql(keys)} and last_used_at is not null`;
  expect(n).toBe(50);
}, 30_000);

test("the same events sent concurrently in opposite orders (a re-send) are stored once, with no 500", async () => {
  const statuses: number[] = [];
  for (let round = 0; round < 3; round++) {
    const events = Array.from({ length: 50 }, (_, i) => ingest.event(`evt_resend_${round}_${String(i).padStart(2, "0")}`, { time: new Date().toISOString() }));
    statuses.push(...(await postAll(Array.from({ length: 8 }, (_, copy) => (copy % 2 ? [...events].reverse() : events)))));
  }
  expect(statusCounts(statuses)).toEqual({ 200: 24 });
  const [{ n }] = await ingest.sql<[{ n: number }]>`select count(*)::int as n from usage_events where event_id like 'evt_resend_%'`;
  expect(n).toBe(150);
}, 30_000);
