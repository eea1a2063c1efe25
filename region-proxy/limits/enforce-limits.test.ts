/**
 * The limits step against the machine's Redis (a key prefix per file), through the same wiring the
 * proxy uses (createLimits → resilient counters), with the clock fixed so refills cannot blur counts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import { ZERO_USAGE } from "../../shared/money/cost.ts";
import type { Snapshot, SnapshotKey } from "../../shared/snapshot/schema.ts";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import { periodKeys } from "../counters/period.ts";
import { createRedisBudgetLedger } from "../counters/redis-budget-ledger.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimits, type RunningLimits } from "./create-limits.ts";
import { firstDeployment, type AdmitInput, type AdmitResult } from "./enforce-limits.ts";
import { estimatePromptTokens } from "./estimate-prompt-tokens.ts";
import { DEPLOYMENT, ORG, PROJECT, TEAM, testKey, testSnapshot } from "./test-snapshot.ts";

const NOW = new Date("2026-11-25T12:00:00Z");
const DAY = periodKeys(NOW, "UTC").day;

let redis: TestRedis;
const running: RunningLimits[] = [];
let counter = 0;

beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  for (const limits of running) await limits.close();
  await redis.cleanup();
});

/** A replica's limits on this file's Redis prefix; `space` keeps tests from sharing counters. */
async function replica(space: string): Promise<RunningLimits> {
  const limits = await createLimits({ region: "eu", redisUrl: redis.url, prefix: `${redis.prefix}${space}:` });
  running.push(limits);
  return limits;
}

const chat = (maxTokens = 100): ChatRequest => ({
  model: "chat",
  messages: [{ role: "user", content: "Say this is a test!" }],
  stream: false,
  includeUsage: false,
  max_tokens: maxTokens,
  raw: {},
});
const PROMPT = estimatePromptTokens(chat(), DEPLOYMENT.model);
/** At the test price ($1 / $2 per 1M tokens): 1 micro per prompt token, 2 per output token. */
const worstCost = (maxTokens: number) => PROMPT + 2 * maxTokens;

function input(snapshot: Snapshot, key: SnapshotKey, extra: Partial<AdmitInput> = {}): AdmitInput {
  return { snapshot, key, tenantId: key.tenantId, featureId: null, request: chat(), deployment: DEPLOYMENT, now: NOW, ...extra };
}

function refused(result: AdmitResult) {
  if (result.ok) throw new Error("expected a refusal");
  const rendered = renderError(result.error);
  return { ...rendered, headers: { ...rendered.headers, ...result.headers } };
}

/**
 * Token headers may read one low: the limiter keeps a token bucket as a float arrival time near 1.8e12 ms,
 * whose last bits are lost when a fraction of a millisecond is added (a counters-side rounding, not ours).
 */
function expectTokens(header: string | undefined, expected: number): void {
  expect(Math.abs(Number(header) - expected)).toBeLessThanOrEqual(1);
}

function admitted(result: AdmitResult) {
  if (!result.ok) throw new Error(`expected admission, got ${JSON.stringify(result.error)}`);
  return result;
}

describe("rate levels", () => {
  test("a request refused at the key level charges no tenant", async () => {
    const { enforcer } = await replica(`t${++counter}`);
    const snapshot = testSnapshot({ [ORG]: { limits: { rpm: 10 } } });
    const limited = testKey({ limits: { rpm: 1 } });
    const other = testKey({ id: "key_two" });
    admitted(await enforcer.admit(input(snapshot, limited)));
    for (let i = 0; i < 3; i++) expect(refused(await enforcer.admit(input(snapshot, limited))).body.error.message).toContain("key:key_one");
    // The org saw key_one's one admitted request and now key_two's: 10 - 2 left, not 10 - 5.
    const second = admitted(await enforcer.admit(input(snapshot, other)));
    expect(second.headers["x-ratelimit-remaining-requests"]).toBe("8");
    expect(second.headers["x-ratelimit-limit-requests"]).toBe("10");
  });

  test("a refusal is OpenAI's 429 with Retry-After, the tripped scope and x-ratelimit-* for both kinds", async () => {
    const { enforcer } = await replica(`t${++counter}`);
    const snapshot = testSnapshot({ [TEAM]: { limits: { rpm: 2, tpm: 100_000 } } });
    const key = testKey();
    const first = admitted(await enforcer.admit(input(snapshot, key)));
    expect(first.headers).toEqual({
      "x-ratelimit-limit-requests": "2",
      "x-ratelimit-remaining-requests": "1",
      "x-ratelimit-reset-requests": "30s",
      "x-ratelimit-limit-tokens": "100000",
      "x-ratelimit-remaining-tokens": first.headers["x-ratelimit-remaining-tokens"]!,
      // PROMPT + 100 tokens of 100 000 per minute refill in (PROMPT + 100) * 0.6 ms.
      "x-ratelimit-reset-tokens": `${Math.ceil((PROMPT + 100) * 0.6)}ms`,
    });
    expectTokens(first.headers["x-ratelimit-remaining-tokens"], 100_000 - PROMPT - 100);
    expect(first.ticket.headers).toEqual(first.headers);
    admitted(await enforcer.admit(input(snapshot, key)));
    const rendered = refused(await enforcer.admit(input(snapshot, key)));
    expect(rendered.status).toBe(429);
    expect(rendered.body.error).toMatchObject({ type: "requests", code: "rate_limit_exceeded" });
    expect(rendered.body.error.message).toContain(`ten:${TEAM}`);
    // rpm 2 refills one request every 30 s: the wait in milliseconds too, as OpenAI sends it.
    expect(rendered.headers["retry-after"]).toBe("30");
    expect(rendered.headers["retry-after-ms"]).toBe("30000");
    expect(rendered.headers["x-ratelimit-remaining-requests"]).toBe("0");
    expect(rendered.headers["x-ratelimit-reset-requests"]).toBe("1m0s");
  });

  test("a request bigger than the TPM left is refused as type tokens, with the wait until it fits", async () => {
    const { enforcer } = await replica(`t${++counter}`);
    const snapshot = testSnapshot({ [PROJECT]: { featureLimits: { search: { tpm: 3000 } } } });
    admitted(await enforcer.admit(input(snapshot, testKey(), { featureId: "search", request: chat(2000) })));
    const rendered = refused(await enforcer.admit(input(snapshot, testKey(), { featureId: "search", request: chat(2000) })));
    expect(rendered.body.error.type).toBe("tokens");
    expect(rendered.body.error.message).toContain(`feature:${PROJECT}:search`);
    expect(Number(rendered.headers["retry-after"])).toBeGreaterThan(1);
    expect(Number(rendered.headers["retry-after"])).toBe(Math.ceil(Number(rendered.headers["retry-after-ms"]) / 1000));
    expect(rendered.headers["x-should-retry"]).toBeUndefined();
  });

  test("a request bigger than the TPM itself is refused for good: no Retry-After, and SDKs told not to retry", async () => {
    const { enforcer } = await replica(`t${++counter}`);
    const snapshot = testSnapshot({ [PROJECT]: { featureLimits: { search: { tpm: 1000 } } } });
    const rendered = refused(await enforcer.admit(input(snapshot, testKey(), { featureId: "search", request: chat(2000) })));
    expect(rendered.status).toBe(429);
    expect(rendered.body.error).toMatchObject({ type: "tokens", code: "rate_limit_exceeded" });
    expect(rendered.body.error.message).toContain(`Request too large for tokens per minute (TPM) on feature:${PROJECT}:search: limit 1000, requested ${PROMPT + 2000}`);
    expect(rendered.headers["retry-after"]).toBeUndefined();
    expect(rendered.headers["retry-after-ms"]).toBeUndefined();
    expect(rendered.headers["x-should-retry"]).toBe("false");
  });
});

describe("other routes and the route's first deployment", () => {
  test("a precounted request (embeddings) is charged exactly what the route counted", async () => {
    const { enforcer } = await replica(`t${++counter}`);
    const snapshot = testSnapshot({ [ORG]: { limits: { tpm: 10_000 } } });
    const result = admitted(await enforcer.admit(input(snapshot, testKey(), { request: { promptTokens: 1234, maxOutputTokens: 0 } })));
    expect(result.ticket.estimatedTokens).toBe(1234);
    expectTokens(result.headers["x-ratelimit-remaining-tokens"], 10_000 - 1234);
  });

  test("a precounted request's count is asked for only when a TPM level or a budget needs it", async () => {
    const { enforcer } = await replica(`t${++counter}`);
    let calls = 0;
    const promptTokens = () => (calls++, 1234);
    const free = admitted(await enforcer.admit(input(testSnapshot(), testKey(), { request: { promptTokens, maxOutputTokens: 0 } })));
    expect(calls).toBe(0);
    expect(free.ticket.estimatedTokens).toBe(1234);
    const limited = admitted(await enforcer.admit(input(testSnapshot({ [ORG]: { limits: { tpm: 10_000 } } }), testKey(), { request: { promptTokens, maxOutputTokens: 0 } })));
    expectTokens(limited.headers["x-ratelimit-remaining-tokens"], 10_000 - 1234);
  });

  test("an embeddings request too large for TPM is told to reduce its input, not max_tokens", async () => {
    const { enforcer } = await replica(`t${++counter}`);
    const snapshot = testSnapshot({ [ORG]: { limits: { tpm: 1_000 } } });
    const rendered = refused(await enforcer.admit(input(snapshot, testKey(), { request: { promptTokens: 1234, maxOutputTokens: 0 } })));
    expect(rendered.body.error.message).toContain("requested 1234 (input estimate). Reduce the input.");
    expect(rendered.body.error.message).not.toContain("max_tokens");
  });

  test("firstDeployment is the head of the alias's chain, null for an unknown alias", () => {
    const snapshot = testSnapshot();
    expect(firstDeployment(snapshot, "chat")).toEqual(DEPLOYMENT);
    expect(firstDeployment(snapshot, "nope")).toBeNull();
  });

  test("a request that names no max output is counted at 4096; an old snapshot's `defaults` changes nothing", async () => {
    const { enforcer } = await replica(`t${++counter}`);
    const { max_tokens: _, ...noMax } = chat();
    // The control plane never published a region default; one in an old snapshot is ignored.
    const withOldDefaults = admitted(await enforcer.admit(input({ ...testSnapshot(), defaults: { maxOutputTokens: 700 } } as Snapshot, testKey(), { request: noMax })));
    expect(withOldDefaults.ticket.estimatedTokens).toBe(PROMPT + 4096);
    const fallback = admitted(await enforcer.admit(input(testSnapshot(), testKey(), { request: { ...noMax, max_completion_tokens: 50 } })));
    expect(fallback.ticket.estimatedTokens).toBe(PROMPT + 50);
    const builtIn = admitted(await enforcer.admit(input(testSnapshot(), testKey(), { request: noMax })));
    expect(builtIn.ticket.estimatedTokens).toBe(PROMPT + 4096);
  });

  test("n answers are n times the output: the worst case, the TPM charge and the reservation all count them", async () => {
    const { enforcer } = await replica(`t${++counter}`);
    const many = (n: unknown, max_tokens?: number): ChatRequest => ({ ...chat(), ...(max_tokens === undefined ? {} : { max_tokens }), raw: { n } });
    expect(admitted(await enforcer.admit(input(testSnapshot(), testKey(), { request: many(128) }))).ticket.estimatedTokens).toBe(PROMPT + 128 * 100);
    const { max_tokens: _, ...noMax } = many(3);
    expect(admitted(await enforcer.admit(input(testSnapshot(), testKey(), { request: noMax }))).ticket.estimatedTokens).toBe(PROMPT + 3 * 4096);
    // A budget with room for two single answers refuses one request for 128 of them.
    const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: worstCost(100) * 2 } } });
    expect(refused(await enforcer.admit(input(snapshot, testKey(), { request: many(128) }))).body.error).toMatchObject({ code: "insufficient_quota" });
    expect(admitted(await enforcer.admit(input(snapshot, testKey(), { request: many(2) }))).ticket.reservedMicros).toBe(PROMPT + 2 * 2 * 100);
    // The parser lets only whole n of 1-128 through; anything else the limits step meets counts as one.
    expect(admitted(await enforcer.admit(input(testSnapshot(), testKey(), { request: many(null) }))).ticket.estimatedTokens).toBe(PROMPT + 100);
  });
});

describe("budgets", () => {
  test("a reservation that would cross a cap is refused with 429 insufficient_quota and refunds its tokens", async () => {
    const { enforcer } = await replica(`t${++counter}`);
    const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: worstCost(100) * 2 }, limits: { tpm: 100_000 } } });
    const key = testKey();
    // Spent at their worst case: the spend leaves no room for a third.
    for (let i = 0; i < 2; i++) await admitted(await enforcer.admit(input(snapshot, key))).ticket.settle({ ...ZERO_USAGE, inputTokens: PROMPT, outputTokens: 100 }, worstCost(100));
    const rendered = refused(await enforcer.admit(input(snapshot, key)));
    expect(rendered.status).toBe(429);
    expect(rendered.headers["x-should-retry"]).toBe("false");
    expect(rendered.body.error).toMatchObject({ type: "insufficient_quota", code: "insufficient_quota" });
    expect(rendered.body.error.message).toContain(`ten:${ORG} (${DAY})`);
    // Its headers already count its tokens as given back: two requests' worth used, not three.
    const perRequest = PROMPT + 100;
    expectTokens(rendered.headers["x-ratelimit-remaining-tokens"], 100_000 - 2 * perRequest);
    // The refused request's tokens went back: two requests' worth charged, not three.
    const probe = admitted(await enforcer.admit(input(snapshot, key, { request: chat(0), deployment: { ...DEPLOYMENT, model: "unpriced" } })));
    expectTokens(probe.headers["x-ratelimit-remaining-tokens"], 100_000 - 2 * perRequest - PROMPT);
  });

  test("settle corrects the token charge and turns the reservation into the real spend", async () => {
    const space = `t${++counter}`;
    const { enforcer } = await replica(space);
    const ledger = createRedisBudgetLedger(redis.client, { prefix: `${redis.prefix}${space}:` });
    const snapshot = testSnapshot({ [PROJECT]: { limits: { tpm: 100_000 } }, [ORG]: { budgets: { dailyMicros: 1_000_000 } } });
    const key = testKey({ budgets: { dailyMicros: 500_000 } });
    const result = admitted(await enforcer.admit(input(snapshot, key)));
    expect(result.ticket.reservedMicros).toBe(worstCost(100));
    expect(await ledger.status(`ten:${ORG}`, DAY)).toEqual({ spentMicros: 0, reservedMicros: worstCost(100) });
    await result.ticket.settle({ ...ZERO_USAGE, inputTokens: 10, outputTokens: 5 }, 20);
    await result.ticket.settle({ ...ZERO_USAGE, inputTokens: 10, outputTokens: 5 }, 20); // idempotent
    await result.ticket.release(); // a no-op after settle
    for (const scope of [`ten:${ORG}`, "key:key_one"]) expect(await ledger.status(scope, DAY)).toEqual({ spentMicros: 20, reservedMicros: 0 });
    const next = admitted(await enforcer.admit(input(snapshot, key)));
    expectTokens(next.headers["x-ratelimit-remaining-tokens"], 100_000 - 15 - (PROMPT + 100));
  });

  test("release frees the reservation at once: a budget never refuses while most of it is unspent", async () => {
    const space = `t${++counter}`;
    const { enforcer } = await replica(space);
    const ledger = createRedisBudgetLedger(redis.client, { prefix: `${redis.prefix}${space}:` });
    const snapshot = testSnapshot({ [TEAM]: { budgets: { dailyMicros: worstCost(100) * 2 } } });
    const key = testKey();
    for (let i = 0; i < 30; i++) {
      const result = admitted(await enforcer.admit(input(snapshot, key)));
      await result.ticket.release();
      await result.ticket.release();
    }
    expect(await ledger.status(`ten:${TEAM}`, DAY)).toEqual({ spentMicros: 0, reservedMicros: 0 });
    const held = [admitted(await enforcer.admit(input(snapshot, key))), admitted(await enforcer.admit(input(snapshot, key)))];
    // Nothing spent: held by the two in flight, retryable.
    expect(refused(await enforcer.admit(input(snapshot, key))).body.error.code).toBe("budget_unavailable");
    await held[0]!.ticket.release();
    admitted(await enforcer.admit(input(snapshot, key)));
  });

  test("a reservation prices the prompt and the output at the dearest rate they could be charged (cache write, reasoning)", async () => {
    const space = `t${++counter}`;
    const { enforcer } = await replica(space);
    const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: 1_000_000 } } });
    // Cache writes at 1.25x input and reasoning at 2x output, as Anthropic and some thinking models charge.
    snapshot.pricing["openai:gpt-4o-mini"] = { input: 1_000_000, output: 2_000_000, cachedInput: 100_000, cacheWrite: 1_250_000, reasoning: 4_000_000 };
    const result = admitted(await enforcer.admit(input(snapshot, testKey())));
    // A prompt written to the cache whole and an answer all reasoning cost this much; no less is held.
    expect(result.ticket.reservedMicros).toBe(Math.ceil(PROMPT * 1.25 + 100 * 4));
  });

  test("a request that arrived before midnight reserves on the day its usage event is booked in, whenever it is admitted", async () => {
    const space = `t${++counter}`;
    const { enforcer } = await replica(space);
    const ledger = createRedisBudgetLedger(redis.client, { prefix: `${redis.prefix}${space}:` });
    const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: 1_000_000 } } });
    const yesterday = new Date(Date.now() - 86_400_000);
    const arrived = new Date(Date.UTC(yesterday.getUTCFullYear(), yesterday.getUTCMonth(), yesterday.getUTCDate(), 23, 59, 59, 500));
    // Admitted now (its body took until after midnight), as a route admits it: no fixed clock.
    const result = admitted(await enforcer.admit({ ...input(snapshot, testKey()), now: undefined, receivedAt: arrived }));
    expect(result.ticket.reservedMicros).toBeGreaterThan(0);
    expect(await ledger.status(`ten:${ORG}`, periodKeys(arrived, "UTC").day)).toEqual({ spentMicros: 0, reservedMicros: result.ticket.reservedMicros });
    expect(await ledger.status(`ten:${ORG}`, periodKeys(new Date(), "UTC").day)).toEqual({ spentMicros: 0, reservedMicros: 0 });
  });

  test("an unpriced model reserves nothing but an exhausted budget still refuses", async () => {
    const space = `t${++counter}`;
    const { enforcer } = await replica(space);
    const snapshot = testSnapshot({ [ORG]: { budgets: { dailyMicros: 50 } } });
    const unpriced = { ...DEPLOYMENT, model: "unpriced-model" };
    const first = admitted(await enforcer.admit(input(snapshot, testKey(), { deployment: unpriced })));
    expect(first.ticket.reservedMicros).toBe(0);
    await first.ticket.settle(ZERO_USAGE, 60); // the real cost came from elsewhere (say, a fallback)
    expect(refused(await enforcer.admit(input(snapshot, testKey(), { deployment: unpriced }))).body.error.code).toBe("insufficient_quota");
  });
});

describe("two replicas on one Redis", () => {
  test("200 concurrent admits on a key with rpm 60: exactly 60 pass, every 429 says so", async () => {
    const space = `t${++counter}`;
    const replicas = await Promise.all([replica(space), replica(space)]);
    const snapshot = testSnapshot({ [ORG]: { limits: { rpm: 1000 } } });
    const key = testKey({ limits: { rpm: 60 } });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => replicas[i % 2]!.enforcer.admit(input(snapshot, key))));
    expect(replicas.map((r) => r.degraded())).toEqual([false, false]);
    expect(results.filter((r) => r.ok)).toHaveLength(60);
    for (const result of results.filter((r) => !r.ok)) {
      const rendered = refused(result);
      expect(rendered.status).toBe(429);
      // rpm 60: a request frees up within a second; the SDK is told the milliseconds, not a whole second.
      expect(rendered.headers["retry-after"]).toBe("1");
      expect(Number(rendered.headers["retry-after-ms"])).toBeGreaterThan(0);
      expect(Number(rendered.headers["retry-after-ms"])).toBeLessThanOrEqual(1000);
      expect(rendered.headers["x-ratelimit-remaining-requests"]).toBe("0");
      expect(rendered.body.error.message).toContain("key:key_one");
    }
    // The org level was charged only by the 60 admitted requests.
    const after = admitted(await replicas[0]!.enforcer.admit(input(snapshot, testKey({ id: "key_other" }))));
    expect(after.headers["x-ratelimit-remaining-requests"]).toBe(String(1000 - 61));
  });
});
