/**
 * A level whose RPM or TPM is 0 (the control plane accepts 0) admits nothing, ever: its 429 says so
 * and tells the SDK not to retry (x-should-retry: false, no Retry-After), as "Request too large" does,
 * instead of promising a retry in 60 s that is refused again. In-process and Redis counters alike.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import type { SnapshotKey } from "../../shared/snapshot/schema.ts";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimits, type LimitsConfig } from "./create-limits.ts";
import { DEPLOYMENT, ORG, PROJECT, testKey, testSnapshot } from "./test-snapshot.ts";

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(() => redis.cleanup());

const chat: ChatRequest = { model: "chat", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, max_tokens: 10, raw: {} };
const NOW = new Date("2026-11-25T12:00:00Z");

const counters: [string, () => LimitsConfig][] = [
  ["in-process", () => ({ region: "eu" })],
  ["Redis", () => ({ region: "eu", redisUrl: redis.url, prefix: `${redis.prefix}zero:` })],
];

const levels: [string, (key: SnapshotKey) => SnapshotKey, string, RegExp][] = [
  ["a key with rpm 0", (key) => ({ ...key, limits: { rpm: 0 } }), "key:key_one", /requests per minute \(RPM\) limit is 0/],
  ["a key with tpm 0", (key) => ({ ...key, limits: { tpm: 0 } }), "key:key_one", /tokens per minute \(TPM\) limit is 0/],
];

for (const [counterName, config] of counters) {
  for (const [levelName, limit, scope, why] of levels) {
    test(`${counterName}: ${levelName} is refused for good, not told to come back in 60 s`, async () => {
      const { enforcer, close } = await createLimits(config());
      try {
        const snapshot = testSnapshot({ [ORG]: { limits: { rpm: 1000, tpm: 1_000_000 } } });
        const key = limit(testKey());
        const result = await enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request: chat, deployment: DEPLOYMENT, now: NOW });
        if (result.ok) throw new Error("admitted");
        const rendered = renderError(result.error);
        expect(rendered.status).toBe(429);
        expect(rendered.headers["x-should-retry"]).toBe("false");
        expect(rendered.headers["retry-after"]).toBeUndefined();
        expect(rendered.headers["retry-after-ms"]).toBeUndefined();
        expect(rendered.body.error.code).toBe("rate_limit_exceeded");
        expect(rendered.body.error.message).toContain(`${scope} allows no requests`);
        expect(rendered.body.error.message).toMatch(why);
      } finally {
        await close();
      }
    });
  }
}

test("a tenant level with rpm 0 names that level, whatever the key allows", async () => {
  const { enforcer, close } = await createLimits({ region: "eu" });
  try {
    const snapshot = testSnapshot({ [PROJECT]: { limits: { rpm: 0 } } });
    const key = testKey({ limits: { rpm: 100 } });
    const result = await enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request: chat, deployment: DEPLOYMENT, now: NOW });
    if (result.ok) throw new Error("admitted");
    const rendered = renderError(result.error);
    expect(rendered.headers["x-should-retry"]).toBe("false");
    expect(rendered.body.error.message).toContain(`ten:${PROJECT} allows no requests`);
  } finally {
    await close();
  }
});
