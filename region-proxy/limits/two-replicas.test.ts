/**
 * Limits through the whole proxy: two proxies (replicas of one region) sharing one Redis prefix, hit
 * with the official SDK (no retries); only the vendor is fake. The clock is real here, so a burst may
 * see GCRA refill one request per second of its own duration (rpm 60).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { APIError } from "openai";
import { hashSecret } from "../../shared/ids.ts";
import { clearOfDayEnd } from "../../test/support/clear-of-day-end.ts";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import { periodKeys } from "../counters/period.ts";
import { createRedisBudgetLedger } from "../counters/redis-budget-ledger.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { createLimits, type RunningLimits } from "./create-limits.ts";
import { estimatePromptTokens } from "./estimate-prompt-tokens.ts";

const CAP_MICROS = 5_000;
const MAX_TOKENS = 50;
const messages = [{ role: "user" as const, content: "count to three please" }];
/** The reservation: our estimate for echo-1 (no OpenAI tokenizer) at 1 µ$/input and 2 µ$/output token. */
const WORST = estimatePromptTokens({ model: "chat", messages, stream: false, includeUsage: false, raw: {} }, "echo-1") + 2 * MAX_TOKENS;
/** What the echo vendor really charges: ceil(21 / 4) + 3 prompt tokens, 5 reply words. */
const REAL = 9 * 1 + 5 * 2;

let fx: ProxyFixture;
let redis: TestRedis;
const limits: RunningLimits[] = [];
const proxies: RunningProxy[] = [];

beforeAll(async () => {
  fx = await createProxyFixture();
  redis = await createTestRedis();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.keys[hashSecret(fx.keys.limited)]!.limits = { rpm: 60 };
      s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: CAP_MICROS };
    }),
  );
  for (let i = 0; i < 2; i++) {
    // Shared counting is under test, not the 250 ms outage timeout: on a busy machine a command
    // answered late flipped a replica to its in-memory share mid-burst.
    const running = await createLimits({ region: "eu", redisUrl: redis.url, prefix: redis.prefix, replicaShare: 0.5, timeoutMs: 5_000 });
    limits.push(running);
    proxies.push(await fx.startProxy({ dataDir: fx.freshDataDir() }, { limits: running.enforcer }));
  }
});
afterAll(async () => {
  await fx.cleanup();
  for (const running of limits) await running.close();
  await redis.cleanup();
});

test("rpm 60 on a key, 200 concurrent requests over two replicas: 60 pass (plus one per second of burst), every 429 says why", async () => {
  const before = fx.vendor.calls("echo-1");
  const started = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: 200 }, (_, i) => fx.client(proxies[i % 2]!, fx.keys.limited).chat.completions.create({ model: "chat", messages }).then(() => null, (e: unknown) => e)),
  );
  const elapsedMs = Date.now() - started;
  const admitted = outcomes.filter((o) => o === null).length;
  expect(admitted).toBeGreaterThanOrEqual(60);
  expect(admitted).toBeLessThanOrEqual(60 + Math.floor(elapsedMs / 1000));
  expect(fx.vendor.calls("echo-1") - before).toBe(admitted);
  expect(limits.map((l) => l.degraded())).toEqual([false, false]);
  for (const outcome of outcomes.filter((o) => o !== null)) {
    expect(outcome).toBeInstanceOf(APIError);
    const error = outcome as APIError;
    expect(error.status).toBe(429);
    expect(error.code).toBe("rate_limit_exceeded");
    expect(error.type).toBe("requests");
    expect(error.message).toContain("key:key_limited");
    expect(Number(error.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(error.headers?.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(error.headers?.get("x-ratelimit-limit-requests")).toBe("60");
  }
});

test("a daily budget over two replicas: never crossed, and nothing refused while a wave's worst case still fits", async () => {
  const ledger = createRedisBudgetLedger(redis.client, { prefix: redis.prefix });
  // The proxies book each request in the UTC day it arrived: run across midnight, the later waves
  // spent in the next day's level and this day's spend fell short (a run at 23:59:59).
  await clearOfDayEnd(20_000);
  const day = periodKeys(new Date(), "UTC").day;
  const status = () => ledger.status("key:key_main", day);
  const WAVE = 10;
  let refusals = 0;
  for (let wave = 0; wave < 40 && refusals === 0; wave++) {
    const { spentMicros } = await status();
    const outcomes = await Promise.all(
      Array.from({ length: WAVE }, (_, i) =>
        fx.client(proxies[i % 2]!).chat.completions.create({ model: "chat", messages, max_tokens: MAX_TOKENS }).then(() => null, (e: unknown) => e as APIError),
      ),
    );
    // Settling runs after each answer is out; wait for every reservation of the wave to close.
    await waitFor(async () => (await status()).reservedMicros === 0, "the wave's reservations to settle");
    for (const error of outcomes.filter((o) => o !== null)) {
      // Spent: 429 insufficient_quota, not to be retried; the spend leaves room but wave-mates hold the
      // rest: 503 budget_unavailable, retryable.
      if (error!.status === 429) {
        expect(error!.code).toBe("insufficient_quota");
        expect(error!.headers?.get("x-should-retry")).toBe("false");
      } else {
        expect([error!.status, error!.code]).toEqual([503, "budget_unavailable"]);
        expect(error!.message).toContain("held by requests in flight");
        expect(error!.headers?.get("retry-after")).toBe("1");
      }
      refusals++;
    }
    // A refusal is only allowed once spent + this wave's worst case no longer fits under the cap.
    if (refusals > 0) expect(spentMicros + WAVE * WORST).toBeGreaterThan(CAP_MICROS);
    const after = await status();
    expect(after.spentMicros).toBe(spentMicros + REAL * outcomes.filter((o) => o === null).length);
  }
  expect(refusals).toBeGreaterThan(0);
  expect((await status()).spentMicros).toBeLessThanOrEqual(CAP_MICROS);
}, 60_000);
