/**
 * A budget level's ledger spend is read from the 15-minute spend buckets (usage_key_spend_buckets and usage_tenant_spend_buckets, kept by
 * triggers on usage_events) and the raw events of a period's partial edge buckets, never by summing a
 * whole period's events under the level's lock (rv-volume: 1.5-6 s per lease ask for a busy tenant).
 * It must answer exactly what summing the raw ledger answers: per region, spend saturated at
 * MAX_SPEND_MICROS and `rows` the number of events.
 */
import { expect, test } from "bun:test";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { ingestUsage } from "../usage/ingest-usage.ts";
import { usageEventFor } from "../testing/usage-event.ts";
import type { Seeded } from "../testing/seed.ts";
import { ledgerSpendByRegion, periodWindow, type BudgetLevel, type RegionLedgerSpend } from "./budget-level.repo.ts";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { MAX_SPEND_MICROS } from "./spend-ceiling.ts";

const r = useLeaseRegions();

/** The reference: the whole window summed from the raw ledger, as before the buckets. */
async function rawSpend(level: BudgetLevel): Promise<Map<string, RegionLedgerSpend>> {
  const { start, end } = periodWindow(level);
  const rows = await r.sql<{ region: string; spent: string; rows: number }[]>`
    with recursive sub(id) as (select ${level.tenantId}::text union select t.id from tenants t join sub on t.parent_id = sub.id)
    select region, least(sum(cost_micros), ${MAX_SPEND_MICROS})::text as spent, count(*)::int as rows from usage_events
    where ${level.keyId ? r.sql`key_id = ${level.keyId}` : r.sql`tenant_id in (select id from sub)`} and time >= ${start} and time < ${end}
    group by region`;
  return new Map(rows.map((row) => [row.region, { spentMicros: Number(row.spent), rows: row.rows }]));
}

/** A deterministic generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const level = (tenantId: string, keyId: string | null, timeZone: string, startDate: string, endDate: string): BudgetLevel => ({ tenantId, keyId, capMicros: 1, timeZone, startDate, endDate });

function levelsOf(org: string, team: string, key: string, teamKey: string): BudgetLevel[] {
  const out: BudgetLevel[] = [];
  for (const zone of ["UTC", "Asia/Kathmandu", "America/New_York", "Australia/Eucla"]) {
    for (const [startDate, endDate] of [["2026-03-01", "2026-03-02"], ["2026-03-08", "2026-03-09"], ["2026-03-01", "2026-04-01"], ["2026-02-01", "2026-03-01"]] as const) {
      out.push(level(org, null, zone, startDate, endDate), level(team, null, zone, startDate, endDate), level(org, key, zone, startDate, endDate), level(team, teamKey, zone, startDate, endDate));
    }
  }
  return out;
}

async function expectSameAsRaw(levels: BudgetLevel[]): Promise<number> {
  let rows = 0;
  for (const l of levels) {
    const raw = await rawSpend(l);
    expect({ l, spend: await ledgerSpendByRegion(r.sql, l) }).toEqual({ l, spend: raw });
    for (const v of raw.values()) rows += v.rows;
  }
  return rows;
}

test("ledger spend from the buckets equals the raw sum: random events across regions, keys, a subtree and period edges in zones at +05:45, +08:45 and with DST", async () => {
  const org = await r.tenant("rollup-org", null);
  const team = await r.tenant("rollup-team", null, org);
  const key = await r.key(org, null);
  const otherKey = await r.key(org, null);
  const teamKey = await r.key(team, null);
  const owners = [
    { tenantId: org, keyId: key },
    { tenantId: org, keyId: otherKey },
    { tenantId: team, keyId: teamKey },
  ];
  // Period edges of the levels read below, in each zone: events land within 20 minutes either side.
  const edges = levelsOf(org, team, key, teamKey).flatMap((l) => Object.values(periodWindow(l)).map((d) => d.getTime()));
  const next = random(42);
  const events: UsageEvent[] = [];
  for (let i = 0; i < 1500; i++) {
    const owner = owners[Math.floor(next() * owners.length)]!;
    const at = next() < 0.7 ? edges[Math.floor(next() * edges.length)]! + Math.round((next() - 0.5) * 40 * 60_000) : Date.UTC(2026, 1, 1) + Math.floor(next() * 60 * 86_400_000);
    const region = next() < 0.5 ? "eu" : "us";
    events.push(usageEventFor({ euDeploymentId: "dep_x" } as Seeded, `evt_roll_${i}`, { ...owner, region, time: new Date(at).toISOString(), costMicros: Math.floor(next() * 5000) }));
  }
  for (const region of ["eu", "us"]) {
    const mine = events.filter((e) => e.region === region);
    for (let i = 0; i < mine.length; i += 200) {
      const ack = await ingestUsage(r.sql, region, mine.slice(i, i + 200));
      expect(ack.rejected).toEqual([]);
    }
  }
  const levels = levelsOf(org, team, key, teamKey);
  const counted = await expectSameAsRaw(levels);
  expect(counted).toBeGreaterThan(1500);

  // The same events sent again, and one id twice in a batch: stored and counted once.
  const before = await ledgerSpendByRegion(r.sql, levels[2]!);
  const eu = events.filter((e) => e.region === "eu").slice(0, 100);
  const again = await ingestUsage(r.sql, "eu", [...eu, eu[0]!]);
  expect({ accepted: again.accepted, duplicates: again.duplicates }).toEqual({ accepted: 0, duplicates: 101 });
  expect(await ledgerSpendByRegion(r.sql, levels[2]!)).toEqual(before);
  await expectSameAsRaw(levels);

  // Rows changed or removed behind ingest (a repair, a test) move the buckets with them.
  await r.sql`update usage_events set cost_micros = cost_micros * 3 where event_id like 'evt_roll_1%'`;
  await r.sql`update usage_events set key_id = ${otherKey}, time = time + interval '7 minutes' where event_id like 'evt_roll_2%' and key_id = ${key}`;
  await r.sql`update usage_events set input_tokens = 1 where event_id like 'evt_roll_3%'`;
  await r.sql`delete from usage_events where event_id like 'evt_roll_4%'`;
  await expectSameAsRaw(levels);
  const [{ empty }] = await r.sql<[{ empty: string }]>`select (select count(*) from usage_key_spend_buckets where events = 0) + (select count(*) from usage_tenant_spend_buckets where events = 0) as empty`;
  expect(empty).toBe("0");
}, 60_000);

test("a boundary off the 15-minute grid (Kathmandu's local mean time, +05:41:16, in 1910) is read exactly from the edge buckets' raw events", async () => {
  const org = await r.tenant("lmt-org", null);
  const key = await r.key(org, null);
  const l = level(org, key, "Asia/Kathmandu", "1910-01-01", "1910-01-02");
  const { start, end } = periodWindow(l);
  expect(start.toISOString()).toBe("1909-12-31T18:18:44.000Z");
  const next = random(7);
  let n = 0;
  for (const edge of [start, end]) {
    for (const offsetS of [-900, -300, -1, 0, 1, 300, 900, ...Array.from({ length: 20 }, () => Math.round((next() - 0.5) * 3600))]) {
      const id = `evt_lmt_${n++}`;
      await r.sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
          input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
        values (${id}, ${new Date(edge.getTime() + offsetS * 1000)}, 'req', ${n % 2 ? "eu" : "us"}, 1, ${org}, ${key}, 'chat', 'chat', false, 1, 1, 0, 0, 0, ${1 + n}, 5, 'ok', 1)`;
    }
  }
  const spend = await ledgerSpendByRegion(r.sql, l);
  expect(spend).toEqual(await rawSpend(l));
  expect([...spend.values()].reduce((sum, v) => sum + v.rows, 0)).toBeGreaterThan(20);
  await expectSameAsRaw([level(org, null, "Asia/Kathmandu", "1910-01-01", "1910-01-02"), level(org, null, "Asia/Kathmandu", "1909-12-31", "1910-01-01")]);
});

test("spend past MAX_SPEND_MICROS saturates, the event count stays exact", async () => {
  const org = await r.tenant("huge-org", null);
  const key = await r.key(org, null);
  for (const [id, minute] of [["evt_huge_a", 0], ["evt_huge_b", 20], ["evt_huge_c", 40]] as const) {
    await r.sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
        input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
      values (${id}, ${new Date(Date.UTC(2026, 2, 3, 10, minute))}, 'req', 'eu', 1, ${org}, ${key}, 'chat', 'chat', false, 1, 1, 0, 0, 0, 9223372036854775807, 5, 'ok', 1)`;
  }
  const l = level(org, null, "UTC", "2026-03-01", "2026-04-01");
  expect(await ledgerSpendByRegion(r.sql, l)).toEqual(new Map([["eu", { spentMicros: MAX_SPEND_MICROS, rows: 3 }]]));
});

test("a period on the bucket grid is read from the buckets alone: it answers while usage_events is locked", async () => {
  const org = await r.tenant("grid-org", null);
  const key = await r.key(org, null);
  await ingestUsage(r.sql, "eu", [usageEventFor({ euDeploymentId: "dep_x" } as Seeded, "evt_grid_1", { tenantId: org, keyId: key, time: "2026-03-05T10:00:00.000Z", costMicros: 77 })]);
  const holder = r.t.openSql(1);
  try {
    const locked = holder.begin(async (tx) => {
      await tx`lock table usage_events in access exclusive mode`;
      await Bun.sleep(1500);
    });
    await Bun.sleep(200);
    const read = (l: BudgetLevel) =>
      r.sql.begin(async (tx) => {
        await tx`set local lock_timeout = '1s'`;
        return ledgerSpendByRegion(tx, l);
      });
    for (const zone of ["UTC", "Asia/Kathmandu"]) {
      expect(await read(level(org, null, zone, "2026-03-01", "2026-04-01"))).toEqual(new Map([["eu", { spentMicros: 77, rows: 1 }]]));
      expect(await read(level(org, key, zone, "2026-03-05", "2026-03-06"))).toEqual(new Map([["eu", { spentMicros: 77, rows: 1 }]]));
    }
    await locked;
  } finally {
    await holder.end({ timeout: 1 });
  }
});
