import { expect, test } from "bun:test";
import { MAX_USAGE_BATCH } from "../shared/internal-api.ts";
import type { UsageBatchAck } from "../shared/usage/usage-event.ts";
import { useUsageIngest } from "./usage/use-usage-ingest.ts";

const ingest = useUsageIngest();
const { event, post } = ingest;

const ledger = async () => (await ingest.sql`select count(*)::int as n, coalesce(sum(cost_micros), 0)::text as c from usage_events`)[0]!;

test("a batch is accepted; the same batch again is all duplicates and the ledger is unchanged", async () => {
  const batch = {
    events: [
      event("evt_a"),
      event("evt_b", { vendorModel: "gpt-4o", costMicros: 2000, usage: { inputTokens: 10, outputTokens: 20, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } }),
      event("evt_c", { time: "2026-03-02T23:59:59.000Z", costMicros: 1 }),
    ],
  };
  const first = (await (await post(batch)).json()) as UsageBatchAck;
  expect(first).toEqual({ accepted: 3, duplicates: 0, rejected: [], ackedEventIds: ["evt_a", "evt_b", "evt_c"] });
  const before = await ledger();
  expect(before).toEqual({ n: 3, c: "2451" });
  const again = (await (await post(batch)).json()) as UsageBatchAck;
  expect(again).toEqual({ accepted: 0, duplicates: 3, rejected: [], ackedEventIds: ["evt_a", "evt_b", "evt_c"] });
  expect(await ledger()).toEqual(before);
});

test("an invalid event is dead-lettered and still acknowledged; a wrong-region event is rejected", async () => {
  const bad = { ...event("evt_bad"), costMicros: -5 };
  const foreign = event("evt_us", { region: "us" });
  const response = await post({ events: [event("evt_ok"), bad, foreign, "not an event"] });
  expect(response.status).toBe(200);
  const ack = (await response.json()) as UsageBatchAck;
  expect(ack.accepted).toBe(1);
  expect(ack.duplicates).toBe(0);
  expect(ack.rejected.map((r) => r.eventId)).toEqual(["evt_bad", "evt_us", null]);
  expect(ack.rejected[0]!.reason).toContain("costMicros");
  expect(ack.rejected[1]!.reason).toContain("region");
  expect(ack.ackedEventIds.sort()).toEqual(["evt_bad", "evt_ok", "evt_us"]);
  const letters = await ingest.sql<{ reason: string; region: string }[]>`select reason, region from usage_dead_letters order by id`;
  expect(letters.length).toBe(3);
  expect(letters.every((l) => l.region === "eu")).toBe(true);
  const [stored] = await ingest.sql`select count(*)::int as n from usage_events where event_id in ('evt_bad', 'evt_us')`;
  expect(stored!.n).toBe(0);
});

test("bad bodies and tokens get JSON errors: 400, 401, 413", async () => {
  const notJson = await post("{nope");
  expect(notJson.status).toBe(400);
  expect((await notJson.json()).error.code).toBe("invalid_json");
  const noEvents = await post({ items: [] });
  expect(noEvents.status).toBe(400);
  const unauth = await post({ events: [] }, "regtok_wrong");
  expect(unauth.status).toBe(401);
  const tooMany = await post({ events: Array.from({ length: MAX_USAGE_BATCH + 1 }, (_, i) => event(`evt_many_${i}`)) });
  expect(tooMany.status).toBe(413);
  expect((await tooMany.json()).error.code).toBe("batch_too_large");
  expect((await ledger()).n).toBe(4);
});

test("spend totals by model and by UTC day", async () => {
  const { spend } = await ingest.t.admin.request<any>(
    `query($t: ID!, $f: DateTime!, $to: DateTime!) { spend(tenantId: $t, from: $f, to: $to) {
      tenantId requests inputTokens outputTokens costMicros costUsd
      byModel { key requests inputTokens outputTokens costMicros costUsd }
      byDay { key requests costMicros } } }`,
    { t: ingest.s.tenantId, f: "2026-03-01T00:00:00Z", to: "2026-03-03T00:00:00Z" },
  );
  // evt_a, evt_b, evt_c, evt_ok: 450 + 2000 + 1 + 450
  expect(spend.requests).toBe(4);
  expect(spend.inputTokens).toBe(3010);
  expect(spend.outputTokens).toBe(1520);
  expect(spend.costMicros).toBe("2901");
  expect(spend.costUsd).toBeCloseTo(0.002901, 9);
  expect(spend.byModel).toEqual([
    { key: "gpt-4o", requests: 1, inputTokens: 10, outputTokens: 20, costMicros: "2000", costUsd: 0.002 },
    { key: "gpt-4o-mini", requests: 3, inputTokens: 3000, outputTokens: 1500, costMicros: "901", costUsd: 0.000901 },
  ]);
  expect(spend.byDay).toEqual([
    { key: "2026-03-01", requests: 3, costMicros: "2900" },
    { key: "2026-03-02", requests: 1, costMicros: "1" },
  ]);
  const narrow = await ingest.t.admin.request<any>(
    `query($t: ID!) { spend(tenantId: $t, from: "2026-03-02T00:00:00Z", to: "2026-03-02T12:00:00Z") { requests costMicros byDay { key } } }`,
    { t: ingest.s.tenantId },
  );
  expect(narrow.spend).toEqual({ requests: 0, costMicros: "0", byDay: [] });
});
