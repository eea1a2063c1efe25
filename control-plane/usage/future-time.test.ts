/**
 * An event's time is the proxy's clock. One running ahead must not book usage outside the period it was
 * spent in: an event dated more than MAX_FUTURE_SKEW_MS after it reached the control plane is booked at
 * the time it was received (its own time kept in proxy_time); anything else keeps its own time, a late
 * delivery after an outage included.
 */
import { beforeAll, expect, test } from "bun:test";
import type { UsageBatchAck } from "../../shared/usage/usage-event.ts";
import { levelStatus } from "../budgets/budget-status.service.ts";
import { periodLabels } from "../../shared/time/local-date.ts";
import { aggregateSpend } from "../spend/spend.repo.ts";
import { useUsageIngest } from "./use-usage-ingest.ts";

const ingest = useUsageIngest();

beforeAll(async () => {
  await ingest.sql`update tenants set time_zone = 'UTC'`;
  await ingest.sql`update tenants set daily_budget_micros = 1000000 where id = ${ingest.s.tenantId}`;
});

const row = async (id: string) => {
  const [r] = await ingest.sql<{ time: Date; proxyTime: Date | null; receivedAt: Date }[]>`
    select time, proxy_time as "proxyTime", received_at as "receivedAt" from usage_events where event_id = ${id}`;
  return r!;
};

test("events dated far ahead (a proxy clock running fast) are booked when received: they count in today's budget and spend", async () => {
  const ahead = new Date(Date.now() + 26 * 3_600_000).toISOString();
  const response = await ingest.post({ events: [ingest.event("evt_skew_day", { time: ahead, costMicros: 400_000 }), ingest.event("evt_skew_9999", { time: "9999-12-31T23:00:00Z", costMicros: 900_000 })] });
  expect(response.status).toBe(200);
  expect(((await response.json()) as UsageBatchAck).accepted).toBe(2);

  const day = await row("evt_skew_day");
  const far = await row("evt_skew_9999");
  expect(day.time).toEqual(day.receivedAt);
  expect(day.proxyTime!.toISOString()).toBe(ahead);
  expect(far.time).toEqual(far.receivedAt);
  expect(far.proxyTime!.toISOString()).toBe("9999-12-31T23:00:00.000Z");
  expect(Math.abs(far.time.getTime() - Date.now())).toBeLessThan(60_000);

  // The day they were received in (read from the row, so a run across midnight still looks at the right day).
  const booked = far.time;
  const status = await levelStatus(ingest.sql as never, `ten:${ingest.s.tenantId}`, periodLabels(booked, "UTC").day, booked);
  expect(Number(status!.spentMicros)).toBeGreaterThanOrEqual(1_300_000);
  const dayStart = new Date(Date.UTC(booked.getUTCFullYear(), booked.getUTCMonth(), booked.getUTCDate()));
  const [total] = await aggregateSpend(ingest.sql as never, ingest.s.tenantId, dayStart, new Date(dayStart.getTime() + 86_400_000), "total");
  expect(Number(total!.costMicros)).toBeGreaterThanOrEqual(1_300_000);
  // The key's last use is not in the future either.
  const [key] = await ingest.sql<{ lastUsedAt: Date }[]>`select last_used_at as "lastUsedAt" from gateway_keys where id = ${ingest.s.keyId}`;
  expect(key!.lastUsedAt.getTime()).toBeLessThanOrEqual(far.receivedAt.getTime());
  // The operator is told which region's clock runs ahead, by how much, and how many events it moved.
  const told = ingest.t.logs.filter((l) => l.includes("ahead of the control plane's clock"));
  expect(told).toHaveLength(1);
  expect(told[0]).toContain("region eu");
  expect(told[0]).toContain("2 usage events");
  expect(told[0]).toMatch(/up to 2\d{11} s ahead/); // 9999-12-31 is ~2.5e11 s away
});

test("an event within the skew allowance, or dated in the past (a late delivery), keeps its own time", async () => {
  const minuteAhead = new Date(Date.now() + 60_000).toISOString();
  const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
  const response = await ingest.post({ events: [ingest.event("evt_minute_ahead", { time: minuteAhead }), ingest.event("evt_late", { time: threeDaysAgo })] });
  expect(((await response.json()) as UsageBatchAck).accepted).toBe(2);
  const near = await row("evt_minute_ahead");
  expect(near.time.toISOString()).toBe(minuteAhead);
  expect(near.proxyTime).toBeNull();
  const late = await row("evt_late");
  expect(late.time.toISOString()).toBe(threeDaysAgo);
  expect(late.proxyTime).toBeNull();
  expect(ingest.t.logs.filter((l) => l.includes("ahead of the control plane's clock"))).toHaveLength(1); // only the first test's batch
});
