import { expect, test } from "bun:test";
import { MAX_EVENT_COST_MICROS, MAX_EVENT_TOKENS, MAX_INT4, nestsDeeperThan, parseEventTime, parseUsageEvent } from "./usage-event.ts";

const event = (over: Record<string, unknown> = {}) => ({
  eventId: "evt_1", time: "2026-03-01T10:00:00.000Z", requestId: "req_1", region: "eu", snapshotVersion: 1, tenantId: "ten_1", keyId: "key_1",
  featureId: null, alias: "chat", endpoint: "chat.completions", provider: null, deploymentId: null, vendorModel: null, stream: false,
  usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
  costMicros: 1, latencyMs: 1, status: "ok", errorCode: null, attempts: 1, ...over,
});
const reason = (over: Record<string, unknown>) => {
  const parsed = parseUsageEvent(event(over));
  return parsed.ok ? null : parsed.reason;
};

test("times: strict ISO 8601 of a real date, UTC year 2000..9999", () => {
  expect(parseEventTime("2026-03-01T10:00:00.000Z")?.toISOString()).toBe("2026-03-01T10:00:00.000Z");
  expect(parseEventTime("2026-03-01T10:00:00+02:00")?.toISOString()).toBe("2026-03-01T08:00:00.000Z");
  for (const bad of ["1", "2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "0000-01-01T00:00:00Z", "1999-12-31T23:59:59Z",
    "+099999-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00", "2026-03-01", "2026-03-01T10:00:00+25:00"]) {
    expect([bad, parseEventTime(bad)]).toEqual([bad, null]);
  }
  expect(reason({ time: "2024-02-30T00:00:00Z" })).toContain("time");
});

test("refuses what the ledger cannot store: NUL, lone surrogates, integers beyond int4, over-long ids, deep nesting", () => {
  expect(reason({})).toBeNull();
  expect(reason({ snapshotVersion: MAX_INT4, attempts: MAX_INT4, costMicros: MAX_EVENT_COST_MICROS })).toBeNull();
  expect(reason({ alias: "a\u0000b" })).toContain("alias");
  expect(reason({ featureId: "\ud800" })).toContain("featureId");
  expect(reason({ errorCode: "x\udc00" })).toContain("errorCode");
  expect(reason({ vendorModel: "\ud83d\ude00" })).toBeNull();
  expect(reason({ snapshotVersion: MAX_INT4 + 1 })).toContain("snapshotVersion");
  expect(reason({ attempts: MAX_INT4 + 1 })).toContain("attempts");
  expect(reason({ eventId: "e".repeat(201) })).toContain("eventId");
  expect(reason({ attemptTrail: [{ deploymentId: "d", provider: "p\u0000", vendorModel: "m", outcome: "ok", reason: null, latencyMs: 1 }] })).toContain("attemptTrail[0]");
  const deep = JSON.parse("[".repeat(100_000) + "]".repeat(100_000));
  expect(reason({ extra: deep })).toContain("deeper");
  expect(nestsDeeperThan(deep, 16)).toBe(true);
  expect(nestsDeeperThan([[[]]], 3)).toBe(false);
  expect(nestsDeeperThan([[[[]]]], 3)).toBe(true);
});

test("an event may cost at most MAX_EVENT_COST_MICROS ($100M), far above anything the proxy can price, far below 2^53", () => {
  expect(MAX_EVENT_COST_MICROS).toBe(1e14);
  expect(reason({ costMicros: 0 })).toBeNull();
  expect(reason({ costMicros: MAX_EVENT_COST_MICROS })).toBeNull();
  for (const cost of [MAX_EVENT_COST_MICROS + 1, 2 ** 53 - 1, 2 ** 53, 1e300, -1, 0.5, "5"]) {
    expect([cost, reason({ costMicros: cost })]).toEqual([cost, `costMicros must be an integer from 0 to ${MAX_EVENT_COST_MICROS}`]);
  }
  expect(reason({ latencyMs: -1 })).toBe("latencyMs must be a non-negative integer");
});

test("an event may count at most MAX_EVENT_TOKENS (10^10) in each token class", () => {
  const usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
  for (const field of Object.keys(usage)) {
    expect(reason({ usage: { ...usage, [field]: MAX_EVENT_TOKENS } })).toBeNull();
    for (const count of [MAX_EVENT_TOKENS + 1, 2 ** 53 - 1, -1, 0.5]) {
      expect([field, count, reason({ usage: { ...usage, [field]: count } })]).toEqual([field, count, `usage.${field} must be an integer from 0 to ${MAX_EVENT_TOKENS}`]);
    }
  }
});

test("a featureId is one the proxy's edge would let through: never spend's \"(none)\" group, nothing to escape", () => {
  expect(reason({ featureId: "checkout-assistant" })).toBeNull();
  expect(reason({ featureId: "team.a:bot_2" })).toBeNull();
  for (const bad of ["(none)", "", "a b", "x".repeat(65), "<script>"]) expect([bad, reason({ featureId: bad })]).toEqual([bad, expect.stringContaining("featureId")]);
});
