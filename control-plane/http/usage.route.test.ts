/**
 * POST /internal/v1/usage answers every event of a batch in a way the proxy acts on: the proxy forgets
 * only the events whose ids come back in ackedEventIds, matched exactly, so an event the control plane
 * can never take (here: an id it cannot use) must come back by the id it was sent with, or the proxy
 * sends it forever. And the answer stays bounded however large that id: each id it echoes is a string of
 * the body, listed once in ackedEventIds (and in `rejected` only when it is at most 200 characters), each
 * reason is cut to 500 characters, and the body is at most 4 MiB of valid UTF-8, so no id comes back
 * longer than it was sent.
 */
import { expect, test } from "bun:test";
import { startFlusher } from "../../region-proxy/outbox/flusher.ts";
import type { PendingEvent, UsageOutbox } from "../../region-proxy/outbox/outbox.ts";
import type { UsageBatchAck } from "../../shared/usage/usage-event.ts";
import { MAX_DEAD_LETTER_REASON_CHARS, MAX_DEAD_LETTER_STRING_CHARS } from "../usage/dead-letter-payload.ts";
import { useUsageIngest } from "../usage/use-usage-ingest.ts";
import { MAX_USAGE_BODY_BYTES, USAGE_PATH } from "../../shared/internal-api.ts";

const ingest = useUsageIngest();
const { event, post } = ingest;

/** Whether each id is in the answer, as a list (a failure then shows which, not a megabyte of diff). */
const ackedEach = (ack: UsageBatchAck, ids: string[]) => ids.map((id) => ack.ackedEventIds.includes(id));

test("an event whose id is empty, over 200 characters or a megabyte long is dead-lettered and acknowledged by the id exactly as sent, once, with its reason cut to 500 characters", async () => {
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
  // The answer's bound: the ids as sent, each once (no unusable one named in `rejected`), plus a reason of
  // at most 500 characters (and its cut marker) per rejection, each character at most 6 bytes of JSON.
  const bytes = (value: string) => Buffer.byteLength(value);
  const idBytes = ack.ackedEventIds.reduce((sum, id) => sum + bytes(JSON.stringify(id)), 0);
  expect(idBytes).toBeLessThanOrEqual(bytes(body));
  expect(bytes(text)).toBeLessThanOrEqual(idBytes + 100 + badIds.length * (6 * (MAX_DEAD_LETTER_REASON_CHARS + 50) + 50));
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

test("a body that is not valid UTF-8 is refused whole (400), so no id comes back three times its size as U+FFFD", async () => {
  const wrap = (id: Uint8Array) => Buffer.concat([Buffer.from('{"events":[{"eventId":"'), id, Buffer.from('"}]}')]);
  // 0xFF is never UTF-8: decoded leniently, each byte would come back as U+FFFD, three bytes in the answer.
  const invalid = wrap(new Uint8Array(MAX_USAGE_BODY_BYTES - 100).fill(0xff));
  expect(invalid.byteLength).toBeLessThanOrEqual(MAX_USAGE_BODY_BYTES);
  const response = await post(invalid);
  expect(response.status).toBe(400);
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({ error: { code: "invalid_json", message: "body is not valid UTF-8" } });
  // One bad byte is enough, in a body sent with its length or chunked: here a lead byte before an ASCII one.
  const bad = Buffer.from(JSON.stringify({ events: [event("evt_utf8_bad")] }));
  bad[bad.indexOf("evt_utf8_bad") + 4] = 0xc3;
  const chunked = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bad.subarray(0, 50));
      controller.enqueue(bad.subarray(50));
      controller.close();
    },
  });
  for (const sent of [bad, chunked]) {
    const refused = await post(sent);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toBe("body is not valid UTF-8");
  }
  expect(await ingest.sql`select 1 from usage_events where request_id like 'req_evt_%tf8_bad'`).toHaveLength(0);
  // Valid UTF-8 of several bytes a character is taken and echoed as sent.
  const accented = await post(wrap(Buffer.from("é".repeat(1000))));
  expect(accented.status).toBe(200);
  expect(((await accented.json()) as UsageBatchAck).ackedEventIds).toEqual(["é".repeat(1000)]);
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

test("a compressed batch (Content-Encoding gzip) is refused as such, 415 naming the coding, not as a body that is not UTF-8", async () => {
  const response = await fetch(new URL(USAGE_PATH, ingest.t.cp.url), {
    method: "POST",
    headers: { "content-type": "application/json", "content-encoding": "gzip", authorization: `Bearer ${ingest.s.euToken}` },
    body: Bun.gzipSync(JSON.stringify({ events: [event("evt_zipped")] })),
  });
  expect(response.status).toBe(415);
  // The codings it would take: none (RFC 9110 §15.5.16; RFC 7694 §3).
  expect(response.headers.get("accept-encoding")).toBe("identity");
  expect(await response.json()).toEqual({ error: { code: "unsupported_content_encoding", message: "Content-Encoding gzip is not supported; send the body uncompressed" } });
});
