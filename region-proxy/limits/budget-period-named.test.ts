/**
 * A scope with a daily and a monthly cap of the same amount: the refusal names the period that refused.
 * The ledgers answer the refusing level (the month, when the month is spent and today is not), but the
 * refusal's words looked the level up by scope and cap, found the day first, and told the caller its
 * daily budget was spent (with the month's spend), a budget that resets at midnight, when it is the
 * month's that does not until the month ends. In-process and Redis counters alike.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimits, type LimitsConfig } from "./create-limits.ts";
import { DEPLOYMENT, testKey, testSnapshot } from "./test-snapshot.ts";

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(() => redis.cleanup());

const chat: ChatRequest = { model: "chat", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, max_tokens: 100, raw: {} };
const USAGE = { inputTokens: 10, outputTokens: 100, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

const counters: [string, () => LimitsConfig][] = [
  ["in-process", () => ({ region: "eu" })],
  ["Redis", () => ({ region: "eu", redisUrl: redis.url, prefix: `${redis.prefix}period-named:` })],
];

for (const [name, config] of counters) {
  test(`${name}: a month spent on an earlier day is named as the month, not as today`, async () => {
    const { enforcer, close } = await createLimits(config());
    try {
      const snapshot = testSnapshot();
      const key = testKey({ budgets: { dailyMicros: 10_000, monthlyMicros: 10_000 } });
      const admit = (at: string) => enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request: chat, deployment: DEPLOYMENT, now: new Date(at) });
      const yesterday = await admit("2026-11-25T12:00:00Z");
      if (!yesterday.ok) throw new Error("refused on the first day");
      await yesterday.ticket.settle(USAGE, 10_000);

      const today = await admit("2026-11-26T12:00:00Z");
      if (today.ok) throw new Error("admitted past the monthly cap");
      const rendered = renderError(today.error);
      expect(rendered.body.error.code).toBe("insufficient_quota");
      expect(rendered.body.error.message).toContain("key:key_one (month:2026-11@UTC)");
      expect(rendered.body.error.message).not.toContain("day:");
    } finally {
      await close();
    }
  });
}
