/**
 * Alerts are raised when usage is ingested, not only when a region asks for a lease: usage events of a
 * closed day that reach the ledger late (a proxy's outbox replayed after a control-plane outage) can
 * push that day past 80% and 100%, and no proxy asks for a closed period once its lease client forgot
 * the level (forgetAfterMs, 10 min) or restarted.
 */
import { expect, setSystemTime, test } from "bun:test";
import { periodKeys } from "../../region-proxy/counters/period.ts";
import { wirePeriod } from "../../shared/leases/zoned-period.ts";
import type { Seeded } from "../testing/seed.ts";
import { usageEventFor } from "../testing/usage-event.ts";
import { ingestUsage } from "../usage/ingest-usage.ts";
import { levelStatus } from "./budget-status.service.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { lockLevel } from "./lease.repo.ts";
import { serveLease } from "./serve-lease.ts";

const r = useLeaseRegions();

const event = (org: string, key: string, id: string, at: Date, cost: number, region = "eu") =>
  usageEventFor({ euDeploymentId: "dep_x" } as Seeded, id, { tenantId: org, keyId: key, region, time: at.toISOString(), costMicros: cost });

async function ingest(region: string, events: ReturnType<typeof event>[]): Promise<void> {
  const ack = await ingestUsage(r.sql, region, events);
  expect({ accepted: ack.accepted, rejected: ack.rejected }).toEqual({ accepted: events.length, rejected: [] });
}

const alertsOf = async (scope: string) =>
  (await r.sql<{ period: string; zone: string; pct: number }[]>`
    select period, time_zone as zone, threshold_percent as pct from budget_alerts where scope = ${scope} order by period, time_zone, threshold_percent`).map(
    (a) => `${a.period}@${a.zone} ${a.pct}`,
  );

test("late events push a closed day past 80% and 100%: the day is counted right, and alerts for it are raised", async () => {
  const org = await r.tenant("late-org", 1_000_000);
  await r.sql`update tenants set time_zone = 'Europe/Paris' where id = ${org}`;
  const key = await r.key(org, null);
  const scope = `ten:${org}`;
  // 2026-11-26 in Paris: 23:00Z Nov 25 .. 23:00Z Nov 26. Spend 50% early in the day, asked for in both regions.
  const morning = new Date("2026-11-26T08:00:00Z");
  const day = periodKeys(morning, "Europe/Paris").day;
  expect(day).toBe("day:2026-11-26@Europe/Paris");
  await ingest("eu", [event(org, key, "evt_late_a", morning, 300_000, "eu")]);
  await ingest("us", [event(org, key, "evt_late_b", morning, 200_000, "us")]);
  await serveLease(r.sql, "eu", { scope, ...wirePeriod(day), spentMicros: 300_000 }, undefined, morning);
  await serveLease(r.sql, "us", { scope, ...wirePeriod(day), spentMicros: 200_000 }, undefined, morning);
  expect(await alertsOf(scope)).toEqual([]);
  // The control plane is down from 20:00Z; the proxies spend the rest of the day. Their outboxes replay
  // after the outage, the next day (Paris 2026-11-27), when the proxies ask for their current day only.
  const nextDay = new Date("2026-11-27T09:00:00Z");
  await serveLease(r.sql, "eu", { scope, ...wirePeriod(periodKeys(nextDay, "Europe/Paris").day), spentMicros: 0 }, undefined, nextDay);
  await ingest("eu", [event(org, key, "evt_late_c", new Date("2026-11-26T21:00:00Z"), 400_000, "eu")]);
  expect(await alertsOf(scope)).toEqual(["day:2026-11-26@Europe/Paris 80"]);
  await ingest("us", [event(org, key, "evt_late_d", new Date("2026-11-26T22:59:00Z"), 200_000, "us")]);
  await serveLease(r.sql, "us", { scope, ...wirePeriod(periodKeys(nextDay, "Europe/Paris").day), spentMicros: 0 }, undefined, nextDay);

  const status = await levelStatus(r.sql, scope, day, nextDay);
  expect(status?.spentMicros).toBe("1100000");
  expect(await alertsOf(scope)).toEqual(["day:2026-11-26@Europe/Paris 80", "day:2026-11-26@Europe/Paris 100"]);
  const [stored] = await r.sql<{ spent: string; cap: string }[]>`
    select spent_micros::text as spent, cap_micros::text as cap from budget_alerts where scope = ${scope} and threshold_percent = 100`;
  expect(stored).toEqual({ spent: "1100000", cap: "1000000" });

  // More late usage of that day, and the last batch sent again: no second alert.
  await ingest("eu", [event(org, key, "evt_late_e", new Date("2026-11-26T22:00:00Z"), 50_000, "eu")]);
  expect((await ingestUsage(r.sql, "us", [event(org, key, "evt_late_d", new Date("2026-11-26T22:59:00Z"), 200_000, "us")])).duplicates).toBe(1);
  expect(await alertsOf(scope)).toHaveLength(2);
});

test("a batch that crosses no threshold raises nothing; a key's own cap and its tenant's parents are checked per level", async () => {
  const org = await r.tenant("late-parent", 1_000_000);
  const team = await r.tenant("late-team", null, org);
  const key = await r.key(team, null, 100_000);
  const at = new Date("2026-11-20T12:00:00Z");
  await ingest("eu", [event(team, key, "evt_quiet_1", at, 50_000), event(team, key, "evt_quiet_2", at, 29_000)]);
  expect([...(await alertsOf(`key:${key}`)), ...(await alertsOf(`ten:${org}`)), ...(await alertsOf(`ten:${team}`))]).toEqual([]);
  // 80% of the key's cap (80,000 of 100,000), 8% of the org's: only the key's level alerts.
  await ingest("us", [event(team, key, "evt_quiet_3", at, 1_000, "us")]);
  expect(await alertsOf(`key:${key}`)).toEqual(["day:2026-11-20@UTC 80"]);
  expect([...(await alertsOf(`ten:${org}`)), ...(await alertsOf(`ten:${team}`))]).toEqual([]);
  // The org's level (the team's subtree spend) reaches 100% on another day.
  await ingest("eu", [event(team, key, "evt_quiet_4", new Date("2026-11-21T12:00:00Z"), 1_000_000)]);
  expect(await alertsOf(`ten:${org}`)).toEqual(["day:2026-11-21@UTC 80", "day:2026-11-21@UTC 100"]);
  expect(await alertsOf(`key:${key}`)).toEqual(["day:2026-11-20@UTC 80", "day:2026-11-21@UTC 80", "day:2026-11-21@UTC 100"]);
});

test("batches of two regions that cross 80% together, neither alone, raise it once: the later one waits for the level and reads the other's events", async () => {
  const sql = r.t.openSql(4);
  const org = await r.tenant("late-race", 1_000_000);
  // A key per region: batches sharing a key queue on its gateway_keys row (touchKeysLastUsed) anyway.
  const keys = { eu: await r.key(org, null), us: await r.key(org, null) };
  const at = new Date("2026-11-10T12:00:00Z");
  const day = periodKeys(at, "UTC").day;
  await ingest("eu", [event(org, keys.eu, "evt_race_0", at, 600_000)]);
  // Hold the level's lock until both batches (75% each alone, 90% together) have stored their events
  // and wait for it, so neither commits before the other has read the ledger if they do not queue on it.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const holder = sql.begin(async (tx) => {
    await lockLevel(tx, `ten:${org}`, "day:2026-11-10", "UTC");
    held();
    await released;
  });
  await holding;
  const acks = Promise.all((["eu", "us"] as const).map((region) => ingestUsage(sql, region, [event(org, keys[region], `evt_race_${region}`, at, 150_000, region)])));
  for (let waited = 0; ; waited += 20) {
    const [{ n }] = await r.sql<[{ n: number }]>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and wait_event = 'advisory' and datname = current_database()`;
    if (n === 2) break;
    if (waited > 3_000) throw new Error("the batches never waited for the level's lock");
    await Bun.sleep(20);
  }
  release();
  await holder;
  expect((await acks).map((a) => a.accepted)).toEqual([1, 1]);
  expect(await alertsOf(`ten:${org}`)).toEqual([`${day} 80`]);
});

test("concurrent batches of two regions over the same capped keys and tenants, in opposite orders, beside lease asks: all stored, no deadlock, each alert once", async () => {
  const sql = r.t.openSql(8);
  const orgs = [await r.tenant("late-lock-a", 1_000_000), await r.tenant("late-lock-b", 1_000_000)];
  const keys = (await Promise.all(orgs.flatMap((org) => [0, 1, 2].map(() => r.key(org, null, 400_000))))).sort();
  const owner = new Map<string, string>();
  for (const key of keys) owner.set(key, (await r.sql<[{ t: string }]>`select tenant_id as t from gateway_keys where id = ${key}`)[0].t);
  const at = new Date("2026-11-12T12:00:00Z");
  const day = periodKeys(at, "UTC").day;
  for (let round = 0; round < 6; round++) {
    // Each round: every key 4 x 10,000 (10% of its cap); each org 120,000 (12% of its cap).
    const batch = (region: string, copy: number, ordered: string[]) =>
      ordered.map((key, i) => event(owner.get(key)!, key, `evt_lock_${round}_${region}_${copy}_${i}`, at, 10_000, region));
    const sends = [
      ingestUsage(sql, "eu", batch("eu", 0, keys)),
      ingestUsage(sql, "eu", batch("eu", 1, [...keys].reverse())),
      ingestUsage(sql, "us", batch("us", 0, [...keys].reverse())),
      ingestUsage(sql, "us", batch("us", 1, keys)),
    ];
    const asks = [...orgs.map((org) => `ten:${org}`), ...keys.map((key) => `key:${key}`)].map((scope, i) =>
      serveLease(sql, i % 2 ? "eu" : "us", { scope, ...wirePeriod(day), spentMicros: 0 }, undefined, at),
    );
    const [acks] = await Promise.all([Promise.all(sends), Promise.all(asks)]);
    expect(acks.map((a) => a.accepted)).toEqual([6, 6, 6, 6]);
  }
  // 6 rounds: each key at 240,000 of 400,000 (60%), each org at 720,000 of 1,000,000 (72%). One more round's
  // worth on one key crosses its 80% and the org's.
  await ingest("eu", [0, 1, 2, 3].map((i) => event(owner.get(keys[0]!)!, keys[0]!, `evt_lock_last_${i}`, at, 25_000)));
  expect(await alertsOf(`key:${keys[0]}`)).toEqual([`${day} 80`]);
  expect(await alertsOf(`ten:${owner.get(keys[0]!)}`)).toEqual([`${day} 80`]);
  expect((await Promise.all(keys.slice(1).map((key) => alertsOf(`key:${key}`)))).flat()).toEqual([]);
}, 30_000);

test("a batch of the period still running raises nothing at ingestion: its proxies' lease asks raise it, so the usual batch does no per-level work", async () => {
  const org = await r.tenant("running-day", 1_000_000);
  const key = await r.key(org, null);
  // 90% of today's cap (UTC), booked 16 minutes ago (past the running quarter hour, which is skipped
  // without reading anything): a closed day would alert at once (above); today waits for a lease ask.
  // The clock is pinned to midday: a day ending within a minute is checked at ingestion (period-end-alert.test.ts).
  const now = new Date("2025-03-10T12:00:00Z");
  try {
    setSystemTime(now);
    await ingest("eu", [event(org, key, "evt_running_1", new Date(now.getTime() - 16 * 60_000), 900_000)]);
  } finally {
    setSystemTime();
  }
  expect(await alertsOf(`ten:${org}`)).toEqual([]);
});
