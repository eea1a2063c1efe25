/**
 * POST /internal/v1/usage answers every event of a batch in a way the proxy acts on: the proxy forgets
 * only the events whose ids come back in ackedEventIds, matched exactly, so an event the control plane
 * can never take (here: an id it cannot use) must come back by the id it was sent with, or the proxy
 * sends it forever. And the answer stays bounded however large that id.
 */
import { expect, test } from "bun:test";
import { startFlusher } from "../../region-proxy/outbox/flusher.ts";
import type { PendingEvent, UsageOutbox } from "../../region-proxy/outbox/outbox.ts";
import type { UsageBatchAck } from "../../shared/usage/usage-event.ts";
import { MAX_DEAD_LETTER_REASON_CHARS, MAX_DEAD_LETTER_STRING_CHARS } from "../usage/dead-letter-payload.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";
import { MAX_USAGE_BODY_BYTES } from "./usage.route.ts";

const ingest = useUsageIngest();
const { event, post } = ingest;

/** Whether each id is in the answer, as a list (a failure then shows which, not a megabyte of diff). */
const ackedEach = (ack: UsageBatchAck, ids: string[]) => ids.map((id) => ack.ackedEventIds.includes(id));

test("an event whose id is empty, over 200 characters or a megabyte long is dead-lettered and acknowledged by the id exactly as sent; the answer is smaller than the body", async () => {
  const badIds = ["", "e".repeat(201), "x".repeat(1_000_000), `\ud800${"y".repeat(300)}`, "evt_\u0000".repeat(60)];
  const body = JSON.stringify({ events: [event("evt_beside_bad_ids"), ...badIds.map((id) => event(id))] });
  const response = await post(body);
  expect(response.status).toBe(200);
  const text = await response.text();
  const ack = JSON.parse(text) as UsageBatchAck;
  expect(ack.accepted).toBe(1);
  expect(ackedEach(ack, ["evt_beside_bad_ids", ...badIds])).toEqual(Array(1 + badIds.length).fill(true));
  expect(ack.ackedEventIds.length).toBe(1 + badIds.length);
  // Rejected without naming an id it cannot use; the reason says what was wrong.
  expect(ack.rejected.map((r) => r.eventId)).toEqual(badIds.map(() => null));
  expect(ack.rejected.every((r) => r.reason.includes("eventId"))).toBe(true);
  // Each id once, from a body the route bounds: the answer is no larger than the batch it answers.
  expect(text.length).toBeLessThan(body.length);
  // Dead-lettered as other rejected events are: a cut, storable copy.
  const letters = await ingest.sql<{ eventId: string }[]>`select payload->>'eventId' as "eventId" from usage_dead_letters order by usage_dead_letters.id desc limit ${badIds.length}`;
  const ids = letters.map((l) => l.eventId).reverse();
  expect(ids[0]).toBe("");
  expect(ids[1]).toBe("e".repeat(201));
  expect(ids[2]!.startsWith("x".repeat(MAX_DEAD_LETTER_STRING_CHARS))).toBe(true);
  expect(ids[2]!.length).toBeLessThan(MAX_DEAD_LETTER_STRING_CHARS + 100);
  expect(ids[3]).toBe(`\uFFFD${"y".repeat(300)}`);
  expect(ids[4]).toBe("evt_\uFFFD".repeat(60));
});

test("a body larger than the route's bound is refused whole (413), so no id the answer echoes can be larger", async () => {
  const response = await post({ events: [event("z".repeat(MAX_USAGE_BODY_BYTES))] });
  expect(response.status).toBe(413);
  expect(((await response.json()) as { error: { code: string } }).error.code).toBe("batch_too_large");
});

test("a refusal's reason is cut in the answer too, however long the database's message", async () => {
  await ingest.sql`create function test_long_refusal() returns trigger language plpgsql as $$ begin
    if new.alias = 'long-refusal' then raise exception '%', repeat('r', 100000) using errcode = '23514'; end if; return new; end $$`;
  await ingest.sql`create trigger test_long_refusal before insert on usage_events for each row execute function test_long_refusal()`;
  try {
    const response = await post({ events: [event("evt_long_refusal", { alias: "long-refusal" })] });
    expect(response.status).toBe(200);
    const ack = (await response.json()) as UsageBatchAck;
    expect(ack.ackedEventIds).toEqual(["evt_long_refusal"]);
    expect(ack.rejected[0]!.eventId).toBe("evt_long_refusal");
    expect(ack.rejected[0]!.reason.length).toBeLessThan(MAX_DEAD_LETTER_REASON_CHARS + 100);
  } finally {
    await ingest.sql`drop trigger test_long_refusal on usage_events`;
    await ingest.sql`drop function test_long_refusal()`;
  }
});

test("the proxy's flusher empties its outbox of an event with an unusable id instead of sending it again and again", async () => {
  const events = [event("evt_flushed_ok"), event("f".repeat(300)), event("")];
  let pending: PendingEvent[] = events.map((e, i) => ({ key: ["usage", String(i)], eventId: e.eventId, json: JSON.stringify(e), entryEvents: 1 }));
  // The flusher's view of the outbox: peek the oldest, forget what was acknowledged.
  const outbox = {
    async peek(limit: number) {
      return pending.slice(0, limit);
    },
    async forget(acked: PendingEvent[]) {
      pending = pending.filter((p) => !acked.includes(p));
    },
    async commitRemovals() {},
  } as unknown as UsageOutbox;
  const logs: string[] = [];
  const flusher = startFlusher({ outbox, controlPlaneUrl: ingest.t.cp.url, regionToken: ingest.s.euToken, proxyId: "proxy-test", intervalMs: 3_600_000, log: (l) => logs.push(l) });
  try {
    expect(await flusher.flushNow()).toBe(true);
    expect(pending.map((p) => p.eventId)).toEqual([]);
    expect(logs).toEqual([]);
  } finally {
    await flusher.stop();
  }
});
