/**
 * A budget level whose spend alone leaves room for a request, but whose rest is reserved by other
 * requests still in flight, refuses that request for now only: the answer is retryable (503
 * budget_unavailable with Retry-After, never x-should-retry: false) and says the budget is held by
 * requests in flight. Only a budget whose spend leaves no room (or whose global cap is leased out) is
 * 429 insufficient_quota. The same on every ledger: in-process, Redis, and leased (after its bounded wait).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import { ZERO_USAGE } from "../../shared/money/cost.ts";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import type { ChatRequest } from "../providers/types.ts";
import { startScriptedLeaseOrigin, type ScriptedLeaseOrigin } from "../testing/scripted-lease-origin.ts";
import { createLimits, type LimitsConfig } from "./create-limits.ts";
import type { AdmitResult } from "./enforce-limits.ts";
import { DEPLOYMENT, ORG, testKey, testSnapshot } from "./test-snapshot.ts";

let redis: TestRedis;
let origin: ScriptedLeaseOrigin;
beforeAll(async () => {
  redis = await createTestRedis();
  // The scripted control plane leases this region the whole 100,000 µ$ daily cap.
  origin = startScriptedLeaseOrigin({ grantedMicros: 100_000 });
});
afterAll(async () => {
  origin.stop();
  await redis.cleanup();
});

const chat = (maxTokens: number): ChatRequest => ({ model: "chat", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, max_tokens: maxTokens, raw: {} });

function refusal(result: AdmitResult) {
  if (result.ok) throw new Error("expected a refusal");
  return renderError(result.error);
}

const ledgers: [string, () => LimitsConfig][] = [
  ["in-process", () => ({ region: "eu" })],
  ["Redis", () => ({ region: "eu", redisUrl: redis.url, prefix: `${redis.prefix}held:` })],
  ["leased", () => ({ region: "eu", leases: { controlPlaneUrl: origin.url, regionToken: "rt", proxyId: "prx_held", maxWaitMs: 300 } })],
];

for (const [name, config] of ledgers) {
  test(`${name}: refused only for reservations in flight is retryable; refused for spend is 429 insufficient_quota`, async () => {
    const limits = await createLimits(config());
    try {
      const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: 100_000 } } });
      const key = testKey();
      const now = new Date();
      const admit = (maxTokens: number) => limits.enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request: chat(maxTokens), deployment: DEPLOYMENT, now });
      // A long call in flight: its worst case (40,000 output tokens at 2 µ$) is reserved.
      const running = await admit(40_000);
      if (!running.ok) throw new Error("first refused");
      // Nothing spent: this one's worst case (~20,000 µ$) fits what the spend leaves, not what the reservation does.
      const held = refusal(await admit(10_000));
      expect(held.status).toBe(503);
      expect(held.body.error).toMatchObject({ type: "server_error", code: "budget_unavailable" });
      expect(held.body.error.message).toContain("held by requests in flight");
      expect(held.headers["x-should-retry"]).toBeUndefined();
      expect(Number(held.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      // The running call settles at its real cost: the very same request now passes.
      await running.ticket.settle({ ...ZERO_USAGE, inputTokens: 8, outputTokens: 500 }, 1_008);
      const retried = await admit(10_000);
      if (!retried.ok) throw new Error(`retry refused: ${JSON.stringify(retried.error)}`);
      // Settled near the cap, the spend leaves no room: exhausted, told not to retry.
      await retried.ticket.settle({ ...ZERO_USAGE, inputTokens: 8, outputTokens: 40_000 }, 80_008);
      const spent = refusal(await admit(10_000));
      expect(spent.status).toBe(429);
      expect(spent.body.error).toMatchObject({ type: "insufficient_quota", code: "insufficient_quota" });
      expect(spent.headers["x-should-retry"]).toBe("false");
    } finally {
      await limits.close();
    }
  });
}
