/**
 * A request refused at two levels, the nearer one (the project) only held by a call in flight and a
 * later one (the org) spent by another key's call, can never pass: the org has no room even once the
 * running call settles. It is answered 429 insufficient_quota (x-should-retry: false) for the org, not
 * a retryable 503 "held by requests in flight" for the project. The same on every ledger, with two
 * replicas where they share Redis (the org spent through replica b, the request on replica a).
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
  // The scripted control plane leases this region the whole 100,000 µ$ cap of every level.
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

const leases = () => ({ controlPlaneUrl: origin.url, regionToken: "rt", proxyId: "prx_hvs", maxWaitMs: 2_000 });
/** Name, config of one replica, and whether the two replicas share their counters (Redis) or are one. */
const ledgers: [string, () => LimitsConfig, boolean][] = [
  ["in-process", () => ({ region: "eu" }), false],
  ["Redis, two replicas", () => ({ region: "eu", redisUrl: redis.url, prefix: `${redis.prefix}hvs:` }), true],
  ["leased", () => ({ region: "eu", leases: leases() }), false],
  ["leased on Redis, two replicas", () => ({ region: "eu", redisUrl: redis.url, prefix: `${redis.prefix}hvsl:`, leases: leases() }), true],
];

for (const [name, config, shared] of ledgers) {
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
