/**
 * A budget level whose spend alone leaves room for a request, but whose rest is reserved by other
 * requests still in flight, refuses that request for now only: the answer is retryable (503
 * budget_unavailable with Retry-After, never x-should-retry: false) and says the budget is held by
 * requests in flight. Only a budget whose spend leaves no room (or whose global cap is leased out) is
 * 429 insufficient_quota. The same on every ledger: in-process, Redis, and leased (after its bounded wait).
 *
 * And a request refused at two levels, the nearer one (the project) only held by a call in flight and a
 * later one (the org) spent by another key's call, can never pass: it is answered 429
 * insufficient_quota for the org at once, not a retryable 503 for the project. With two replicas where
 * they share Redis (the org spent through replica b, the request on replica a).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import { ZERO_USAGE } from "../../shared/money/cost.ts";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import type { ChatRequest } from "../providers/types.ts";
import { startScriptedLeaseOrigin, type ScriptedLeaseOrigin } from "../testing/scripted-lease-origin.ts";
import { createLimits, type LimitsConfig } from "./create-limits.ts";
import type { AdmitResult } from "./enforce-limits.ts";
import { DEPLOYMENT, ORG, PROJECT, TEAM, testKey, testSnapshot } from "./test-snapshot.ts";

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

const leases = () => ({ controlPlaneUrl: origin.url, regionToken: "rt", proxyId: "prx_hvs", maxWaitMs: 2_000 });
/** Name, config of one replica, and whether the two replicas share their counters (Redis) or are one. */
const replicaLedgers: [string, () => LimitsConfig, boolean][] = [
  ["in-process", () => ({ region: "eu" }), false],
  ["Redis, two replicas", () => ({ region: "eu", redisUrl: redis.url, prefix: `${redis.prefix}hvs:` }), true],
  ["leased", () => ({ region: "eu", leases: leases() }), false],
  ["leased on Redis, two replicas", () => ({ region: "eu", redisUrl: redis.url, prefix: `${redis.prefix}hvsl:`, leases: leases() }), true],
];

for (const [name, config, shared] of replicaLedgers) {
  test(`${name}: project held by a call in flight + org spent = 429 insufficient_quota at once, not a retryable 503`, async () => {
    const a = await createLimits(config());
    const b = shared ? await createLimits(config()) : a;
    try {
      const snapshot = testSnapshot({ [PROJECT]: { budgets: { dailyMicros: 100_000 } }, [ORG]: { budgets: { dailyMicros: 100_000 } } });
      const keyA = testKey();
      const keyB = testKey({ id: "key_two", tenantId: TEAM });
      const now = new Date();
      const admit = (limits: typeof a, key: typeof keyA, maxTokens: number) =>
        limits.enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request: chat(maxTokens), deployment: DEPLOYMENT, now });
      // A long call on the project: ~80,008 µ$ held on the project and the org.
      const running = await admit(a, keyA, 40_000);
      if (!running.ok) throw new Error("running refused");
      // Another key of the org (on the team, not the project), on replica b: a small reservation that
      // settles at ~95,008 µ$ (a call far dearer than its estimate), spending the org.
      const other = await admit(b, keyB, 1);
      if (!other.ok) throw new Error("other refused");
      await other.ticket.settle({ ...ZERO_USAGE, inputTokens: 8, outputTokens: 47_500 }, 95_008);
      // The next project request (~20,008 µ$): the project's spend (0) leaves room, only the running
      // call holds it; the org's spend (95,008 of 100,000) leaves none, whatever settles.
      const started = performance.now();
      const r = refusal(await admit(a, keyA, 10_000));
      expect({ status: r.status, code: r.body.error.code, type: r.body.error.type }).toEqual({ status: 429, code: "insufficient_quota", type: "insufficient_quota" });
      expect(r.headers["x-should-retry"]).toBe("false");
      expect(r.body.error.message).toContain(ORG);
      // Refused at once: no bounded wait for the project's reservations to settle.
      expect(performance.now() - started).toBeLessThan(1_000);
      // Nothing else changes: once the running call settles, the org still has no room.
      await running.ticket.settle({ ...ZERO_USAGE, inputTokens: 8, outputTokens: 500 }, 1_008);
      expect(refusal(await admit(a, keyA, 10_000)).status).toBe(429);
    } finally {
      await a.close();
      if (b !== a) await b.close();
    }
  });
}
