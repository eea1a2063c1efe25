/**
 * Budget arithmetic never leaves exact integers: an event may cost at most MAX_EVENT_COST_MICROS, and
 * whatever the ledger holds (events from before that bound, or enough of them), the spend and grants
 * a lease answer and budgetStatus compute saturate at MAX_SPEND_MICROS (2^53 - 1) instead of losing
 * precision or failing to fit a bigint column.
 */
import { expect, test } from "bun:test";
import { LEASES_PATH, type LeaseAnswer, type LeaseGrant } from "../../shared/leases/lease-wire.ts";
import { MAX_EVENT_COST_MICROS, type UsageBatchAck } from "../../shared/usage/usage-event.ts";
import { clearOfDayEnd } from "../../test/support/clear-of-day-end.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";
import { addMicros, MAX_SPEND_MICROS } from "./spend-ceiling.ts";

const ingest = useUsageIngest();
const { event, post } = ingest;
const CAP = 1_000_000;

async function lease(region: "eu" | "us", period: string): Promise<{ status: number; grant?: Extract<LeaseGrant, { managed: true }> }> {
  await ingest.sql`update tenants set daily_budget_micros = ${CAP} where id = ${ingest.s.tenantId}`;
  const response = await fetch(new URL(LEASES_PATH, ingest.t.cp.url), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${region === "eu" ? ingest.s.euToken : ingest.s.usToken}` },
    body: JSON.stringify({ leases: [{ scope: `ten:${ingest.s.tenantId}`, period, spentMicros: 0 }] }),
  });
  if (response.status !== 200) return { status: response.status };
  const grant = ((await response.json()) as LeaseAnswer).grants[0]!;
  if (!grant.managed) throw new Error("expected a managed level");
  return { status: 200, grant };
}

/** Ledger rows written directly, as an older build (without the per-event bound) could have stored them. */
async function legacyUsage(region: string, time: string, costMicros: string, rows: number): Promise<void> {
  for (let i = 0; i < rows; i++) {
    await ingest.sql`insert into usage_events (event_id, time, request_id, region, snapshot_version, tenant_id, key_id, alias, endpoint, stream,
        input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, latency_ms, status, attempts)
      values (${`evt_${crypto.randomUUID()}`}, ${time}, 'req_x', ${region}, 1, ${ingest.s.tenantId}, ${ingest.s.keyId}, 'chat', 'chat', false, 1, 1, 0, 0, 0, ${costMicros}::bigint, 5, 'ok', 1)`;
  }
}

test("saturating sums are exact below the ceiling and exactly the ceiling past it", () => {
  expect(addMicros()).toBe(0);
  expect(addMicros(MAX_SPEND_MICROS - 1, 1)).toBe(MAX_SPEND_MICROS);
  expect(addMicros(MAX_SPEND_MICROS, 1)).toBe(MAX_SPEND_MICROS);
  expect(addMicros(MAX_SPEND_MICROS, MAX_SPEND_MICROS, MAX_SPEND_MICROS)).toBe(MAX_SPEND_MICROS);
  expect(addMicros(2 ** 52, 2 ** 52 - 2, 1)).toBe(MAX_SPEND_MICROS);
});

test("an event costing more than MAX_EVENT_COST_MICROS is dead-lettered and acknowledged; one at the bound is stored", async () => {
  const response = await post({ events: [event("evt_cost_at_bound", { costMicros: MAX_EVENT_COST_MICROS }), event("evt_cost_over", { costMicros: MAX_EVENT_COST_MICROS + 1 }), event("evt_cost_2_53", { costMicros: 2 ** 53 - 1 })] });
  expect(response.status).toBe(200);
  const ack = (await response.json()) as UsageBatchAck;
  expect(ack.accepted).toBe(1);
  expect(ack.rejected.map((r) => r.eventId)).toEqual(["evt_cost_over", "evt_cost_2_53"]);
  expect(ack.rejected[0]!.reason).toContain(`costMicros must be an integer from 0 to ${MAX_EVENT_COST_MICROS}`);
  expect(ack.ackedEventIds.sort()).toEqual(["evt_cost_2_53", "evt_cost_at_bound", "evt_cost_over"]);
  const [letters] = await ingest.sql`select count(*)::int as n from usage_dead_letters where payload->>'eventId' in ('evt_cost_over', 'evt_cost_2_53')`;
  expect(letters!.n).toBe(2);
});

test("a day whose ledger passes 2^53 through events within the bound is answered with a saturated, exact grant", async () => {
  // 91 events of 10^14 - 1: 9,099,999,999,999,909 micro-USD, past 2^53 and not a JS number.
  const events = Array.from({ length: 91 }, (_, i) => event(`evt_dear_${i}`, { time: "2026-04-01T10:00:00.000Z", costMicros: MAX_EVENT_COST_MICROS - 1 }));
  expect(((await (await post({ events })).json()) as UsageBatchAck).accepted).toBe(91);
  const { status, grant } = await lease("eu", "day:2026-04-01");
  expect(status).toBe(200);
  expect(grant).toMatchObject({ capMicros: CAP, ledgerSpentMicros: MAX_SPEND_MICROS, grantedMicros: MAX_SPEND_MICROS, exhausted: true, ledgerVersion: 91 });
  const [alert] = await ingest.sql`select spent_micros::text as spent from budget_alerts where period = 'day:2026-04-01'`;
  expect(alert!.spent).toBe(String(MAX_SPEND_MICROS));
});

test("two regions each under 2^53 but past it together: the lease route adds them into the ceiling (the alert's spend), each region's figures exact", async () => {
  // 46 events of 10^14 - 1 per region, through each region's usage route: 4,599,999,999,999,954 each, a
  // safe integer; together 9,199,999,999,999,908, past 2^53 (a plain sum would store that figure).
  const dear = (region: "eu" | "us") =>
    Array.from({ length: 46 }, (_, i) => event(`evt_two_${region}_${i}`, { region, time: "2026-04-03T10:00:00.000Z", costMicros: MAX_EVENT_COST_MICROS - 1 }));
  for (const [region, token] of [["eu", ingest.s.euToken], ["us", ingest.s.usToken]] as const) {
    expect(((await (await post({ events: dear(region) }, token)).json()) as UsageBatchAck).accepted).toBe(46);
  }
  const each = 46 * (MAX_EVENT_COST_MICROS - 1);
  expect(Number.isSafeInteger(each) && each + each > MAX_SPEND_MICROS).toBe(true);
  const alertSpends = async () =>
    (await ingest.sql<{ percent: number; spent: string }[]>`
      select threshold_percent as percent, spent_micros::text as spent from budget_alerts where period = 'day:2026-04-03' order by threshold_percent`).map((a) => [a.percent, a.spent]);
  // The first region's batch alone passed the cap: its ingestion raised both alerts, with its spend.
  expect(await alertSpends()).toEqual([[80, String(each)], [100, String(each)]]);
  // Cleared, so the lease asks raise them again, from both regions' spend.
  await ingest.sql`delete from budget_alerts where period = 'day:2026-04-03'`;
  const eu = await lease("eu", "day:2026-04-03");
  expect(eu.status).toBe(200);
  // Over the cap: the asker keeps only what it spent, as its ledger says.
  expect(eu.grant).toMatchObject({ capMicros: CAP, ledgerSpentMicros: each, grantedMicros: each, exhausted: true, ledgerVersion: 46 });
  const us = await lease("us", "day:2026-04-03");
  expect(us.grant).toMatchObject({ ledgerSpentMicros: each, grantedMicros: each, exhausted: true, ledgerVersion: 46 });
  // Past the cap: the 80% and the 100% alert, both with the saturated spend.
  expect(await alertSpends()).toEqual([[80, String(MAX_SPEND_MICROS)], [100, String(MAX_SPEND_MICROS)]]);
});

test("ledger rows summing past bigint (written before the bound) get a saturated grant, not a 500; the other region gets nothing", async () => {
  await legacyUsage("us", "2026-04-02T10:00:00Z", "4000000000000000000", 3);
  const us = await lease("us", "day:2026-04-02");
  expect(us.status).toBe(200);
  expect(us.grant).toMatchObject({ ledgerSpentMicros: MAX_SPEND_MICROS, grantedMicros: MAX_SPEND_MICROS, exhausted: true });
  const eu = await lease("eu", "day:2026-04-02");
  expect(eu.status).toBe(200);
  expect(eu.grant).toMatchObject({ ledgerSpentMicros: 0, grantedMicros: 0, exhausted: true });
  const [saved] = await ingest.sql`select granted_micros::text as granted from budget_leases where period = 'day:2026-04-02' and region = 'us'`;
  expect(saved!.granted).toBe(String(MAX_SPEND_MICROS));
});

test("budgetStatus adds regions' spend past 2^53 into the ceiling, not an inexact figure", async () => {
  // The rows are written at this process's now and budgetStatus reads the UTC day current when it is
  // asked: a midnight in between, and the day it reads has spent nothing.
  await clearOfDayEnd(10_000);
  await ingest.sql`update tenants set daily_budget_micros = ${CAP} where id = ${ingest.s.tenantId}`;
  const now = new Date().toISOString();
  await legacyUsage("eu", now, "5000000000000000000", 2);
  await legacyUsage("us", now, "5000000000000000000", 2);
  const { budgetStatus } = await ingest.t.admin.request<{ budgetStatus: { levels: Record<string, unknown>[] } }>(
    `query($t: ID!) { budgetStatus(tenantId: $t) { levels { period capMicros spentMicros reservedMicros remainingMicros } } }`,
    { t: ingest.s.tenantId },
  );
  expect(budgetStatus.levels).toEqual([
    { period: expect.stringMatching(/^day:/), capMicros: String(CAP), spentMicros: String(MAX_SPEND_MICROS), reservedMicros: "0", remainingMicros: "0" },
  ]);
}, 15_000);
