/**
 * One event never fails its batch: whatever one event holds, the batch answers 200, the other events
 * are stored and every event is acknowledged (the proxy would otherwise re-send the same batch forever
 * and no later usage would ship). Only a real database failure answers 5xx.
 */
import { expect, test } from "bun:test";
import type { UsageBatchAck } from "../../shared/usage/usage-event.ts";
import { useUsageIngest } from "./use-usage-ingest.ts";

const ingest = useUsageIngest();
const { event, post } = ingest;

const stored = async (ids: string[]) =>
  (await ingest.sql<{ event_id: string }[]>`select event_id from usage_events where event_id in ${ingest.sql(ids)} order by event_id`).map((r) => r.event_id);

test("events the ledger's columns cannot hold are dead-lettered alone; the rest of the batch is stored", async () => {
  const bad: [string, Record<string, unknown>][] = [
    ["evt_nul_alias", { alias: "a\u0000b" }],
    ["evt_nul_feature", { featureId: "f\u0000" }],
    ["evt_surrogate", { vendorModel: "m\ud800" }],
    ["evt_snapshot_2_31", { snapshotVersion: 2 ** 31 }],
    ["evt_attempts_2_31", { attempts: 2 ** 31 }],
    ["evt_year_0", { time: "0000-01-01T00:00:00Z" }],
    ["evt_year_99999", { time: "+099999-01-01T00:00:00Z" }],
    ["evt_feb_30", { time: "2024-02-30T00:00:00Z" }],
    ["evt_time_1", { time: "1" }],
    ["evt_trail_nul", { attemptTrail: [{ deploymentId: "d\u0000", provider: "p", vendorModel: "m", outcome: "ok", reason: null, latencyMs: 1 }] }],
    ["evt_long_tenant", { tenantId: Array.from({ length: 3000 }, () => Math.random().toString(36)[2]).join("") }],
  ];
  const events = [event("evt_good_1"), ...bad.map(([id, over]) => event(id, over)), event("evt_good_2", { snapshotVersion: 2 ** 31 - 1, attempts: 2 ** 31 - 1 })];
  const response = await post(JSON.stringify({ events }));
  expect(response.status).toBe(200);
  const ack = (await response.json()) as UsageBatchAck;
  expect(ack.accepted).toBe(2);
  expect(ack.rejected.map((r) => r.eventId)).toEqual(bad.map(([id]) => id));
  expect(ack.ackedEventIds.sort()).toEqual(["evt_good_1", "evt_good_2", ...bad.map(([id]) => id)].sort());
  expect(await stored(events.map((e) => e.eventId))).toEqual(["evt_good_1", "evt_good_2"]);
  const [letters] = await ingest.sql`select count(*)::int as n from usage_dead_letters where payload->>'eventId' in ${ingest.sql(bad.map(([id]) => id))}`;
  expect(letters!.n).toBe(bad.length);
  // The stored copy is storable: the NUL became U+FFFD.
  const [nul] = await ingest.sql<{ alias: string }[]>`select payload->>'alias' as alias from usage_dead_letters where payload->>'eventId' = 'evt_nul_alias'`;
  expect(nul!.alias).toBe("a\uFFFDb");
});

test("an invalid event that holds a NUL, a lone surrogate or 100,000 levels of nesting is still dead-lettered and acknowledged", async () => {
  const deep = "[".repeat(100_000) + "]".repeat(100_000);
  const body = `{"events":[${JSON.stringify(event("evt_ok_beside_odd"))},{"eventId":"evt_odd_nul","junk":"\\u0000"},{"a\\u0000":1},` +
    `{"eventId":"evt_odd_surrogate","s":"\\ud800"},"\\u0000",{"eventId":"evt_odd_deep","deep":${deep}},${deep}]}`;
  const response = await post(body);
  expect(response.status).toBe(200);
  const ack = (await response.json()) as UsageBatchAck;
  expect(ack.accepted).toBe(1);
  expect(ack.rejected.map((r) => r.eventId)).toEqual(["evt_odd_nul", null, "evt_odd_surrogate", null, "evt_odd_deep", null]);
  expect(ack.ackedEventIds.sort()).toEqual(["evt_odd_deep", "evt_odd_nul", "evt_odd_surrogate", "evt_ok_beside_odd"]);
  expect(await stored(["evt_ok_beside_odd"])).toEqual(["evt_ok_beside_odd"]);
  const letters = await ingest.sql<{ payload: any; reason: string }[]>`select payload, reason from usage_dead_letters order by id desc limit 6`;
  expect(letters.length).toBe(6);
  const payloads = letters.map((l) => l.payload).reverse();
  expect(payloads[0]).toEqual({ eventId: "evt_odd_nul", junk: "\uFFFD" });
  expect(payloads[1]).toEqual({ "a\uFFFD": 1 });
  expect(payloads[2]).toEqual({ eventId: "evt_odd_surrogate", s: "\uFFFD" });
  expect(payloads[3]).toBe("\uFFFD");
  expect(JSON.stringify(payloads[4]).length).toBeLessThan(1_000);
  expect(letters.find((l) => l.reason.includes("deeper"))).toBeDefined();
});

test("an event the database still refuses is dead-lettered alone; a real database failure fails the batch (5xx) and stores nothing", async () => {
  // A rule the parser does not know: the database refuses the event's content (check_violation, 23514).
  await ingest.sql`alter table usage_events add constraint test_refused_alias check (alias <> 'refused-by-db')`;
  const response = await post(JSON.stringify({ events: [event("evt_db_ok_1"), event("evt_db_refused", { alias: "refused-by-db" }), event("evt_db_ok_2")] }));
  expect(response.status).toBe(200);
  const ack = (await response.json()) as UsageBatchAck;
  expect(ack.accepted).toBe(2);
  expect(ack.duplicates).toBe(0);
  expect(ack.rejected).toEqual([{ eventId: "evt_db_refused", reason: expect.stringContaining("test_refused_alias") }]);
  expect(ack.ackedEventIds.sort()).toEqual(["evt_db_ok_1", "evt_db_ok_2", "evt_db_refused"]);
  expect(await stored(["evt_db_ok_1", "evt_db_refused", "evt_db_ok_2"])).toEqual(["evt_db_ok_1", "evt_db_ok_2"]);
  const [letter] = await ingest.sql`select reason from usage_dead_letters where payload->>'eventId' = 'evt_db_refused'`;
  expect(letter!.reason).toContain("test_refused_alias");

  // Not the event's fault (an internal error, XX000): nothing is acknowledged, so the proxy sends it again.
  await ingest.sql`create function test_outage() returns trigger language plpgsql as $$ begin
    if new.alias = 'outage' then raise exception 'disk on fire' using errcode = 'XX000'; end if; return new; end $$`;
  await ingest.sql`create trigger test_outage before insert on usage_events for each row execute function test_outage()`;
  const outage = await post(JSON.stringify({ events: [event("evt_outage_ok"), event("evt_outage", { alias: "outage" })] }));
  expect(outage.status).toBeGreaterThanOrEqual(500);
  await outage.body?.cancel();
  expect(await stored(["evt_outage_ok", "evt_outage"])).toEqual([]);
  const [none] = await ingest.sql`select count(*)::int as n from usage_dead_letters where payload->>'eventId' in ('evt_outage_ok', 'evt_outage')`;
  expect(none!.n).toBe(0);
});

test("an id repeated in one batch: the first copy is stored, a same copy is a duplicate, a different copy is dead-lettered and acknowledged", async () => {
  const first = event("evt_dup_a", { costMicros: 5000 });
  // The same content with its keys in another order is the same event.
  const same = Object.fromEntries(Object.entries(first).reverse());
  const other = event("evt_dup_a", { costMicros: 1 });
  const response = await post({ events: [first, same, other, event("evt_dup_b", { costMicros: -1 }), event("evt_dup_b", { costMicros: 7 })] });
  expect(response.status).toBe(200);
  const ack = (await response.json()) as UsageBatchAck;
  expect(ack.accepted).toBe(2);
  expect(ack.duplicates).toBe(1);
  expect(ack.rejected.map((r) => r.eventId)).toEqual(["evt_dup_a", "evt_dup_b"]);
  expect(ack.rejected[0]!.reason).toBe("eventId repeated in the batch with different content");
  expect(ack.ackedEventIds.sort()).toEqual(["evt_dup_a", "evt_dup_b"]);
  // The first valid copy is in the ledger, as a copy sent in a later batch would leave it.
  const rows = await ingest.sql<{ id: string; cost: string }[]>`
    select event_id as id, cost_micros::text as cost from usage_events where event_id in ('evt_dup_a', 'evt_dup_b') order by event_id`;
  expect([...rows]).toEqual([{ id: "evt_dup_a", cost: "5000" }, { id: "evt_dup_b", cost: "7" }]);
  // The copy that was not taken is kept, so the usage it carried is not lost without a trace.
  const letters = await ingest.sql<{ reason: string; cost: number }[]>`
    select reason, (payload->>'costMicros')::int as cost from usage_dead_letters where payload->>'eventId' = 'evt_dup_a'`;
  expect([...letters]).toEqual([{ reason: "eventId repeated in the batch with different content", cost: 1 }]);
  const again = (await (await post({ events: [event("evt_dup_a", { costMicros: 1 })] })).json()) as UsageBatchAck;
  expect(again).toMatchObject({ accepted: 0, duplicates: 1, rejected: [], ackedEventIds: ["evt_dup_a"] });
});

test("an id repeated in one batch whose first copy the database refuses: both copies are dead-lettered, none is dropped unseen", async () => {
  await ingest.sql`alter table usage_events add constraint test_refused_dup check (alias <> 'refused-dup')`;
  try {
    const response = await post({ events: [event("evt_dup_refused", { alias: "refused-dup", costMicros: 5000 }), event("evt_dup_refused", { costMicros: 1 })] });
    expect(response.status).toBe(200);
    const ack = (await response.json()) as UsageBatchAck;
    expect(ack.accepted).toBe(0);
    expect(ack.ackedEventIds).toEqual(["evt_dup_refused"]);
    expect(ack.rejected.map((r) => r.reason)).toEqual(["eventId repeated in the batch with different content", expect.stringContaining("test_refused_dup")]);
    expect(await stored(["evt_dup_refused"])).toEqual([]);
    const letters = await ingest.sql<{ cost: number }[]>`
      select (payload->>'costMicros')::int as cost from usage_dead_letters where payload->>'eventId' = 'evt_dup_refused' order by cost`;
    expect(letters.map((l) => l.cost)).toEqual([1, 5000]);
  } finally {
    await ingest.sql`alter table usage_events drop constraint test_refused_dup`;
  }
});

test("an invalid event sent again (its acknowledgement was lost) is acknowledged again but dead-lettered once", async () => {
  const bad = event("evt_dl_resent", { costMicros: -5 });
  for (let i = 0; i < 2; i++) {
    const response = await post({ events: [bad] });
    expect(response.status).toBe(200);
    const ack = (await response.json()) as UsageBatchAck;
    expect(ack).toMatchObject({ accepted: 0, ackedEventIds: ["evt_dl_resent"], rejected: [{ eventId: "evt_dl_resent" }] });
  }
  const [letters] = await ingest.sql`select count(*)::int as n from usage_dead_letters where payload->>'eventId' = 'evt_dl_resent'`;
  expect(letters!.n).toBe(1);
  const [keyed] = await ingest.sql`select event_id from usage_dead_letters where payload->>'eventId' = 'evt_dl_resent'`;
  expect(keyed!.event_id).toBe("evt_dl_resent");

  // An event with no usable id has nothing to be known by: each copy is kept, as before.
  const noId = { ...event("x"), eventId: "" };
  for (let i = 0; i < 2; i++) expect((await post({ events: [noId] })).status).toBe(200);
  const [unkeyed] = await ingest.sql`select count(*)::int as n, count(event_id)::int as keyed from usage_dead_letters where payload->>'eventId' = '' and payload->>'requestId' = ${noId.requestId}`;
  expect(unkeyed).toEqual({ n: 2, keyed: 0 });
});
