/**
 * While Redis is down a replica enforces its share of every limit (REPLICA_SHARE), and a refusal is
 * judged against that share, the limit the header shows: a request that fits the TPM but not this
 * replica's share is refused for good while degraded ("Request too large", x-should-retry: false)
 * instead of "try again in 12s" every time it comes back; one that waits is told the share too.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { renderError } from "../../shared/errors/openai-error.ts";
import { freePort } from "../../test/support/ports.ts";
import type { ChatRequest } from "../providers/types.ts";
import { createLimits, type RunningLimits } from "./create-limits.ts";
import { DEPLOYMENT, ORG, testKey, testSnapshot } from "./test-snapshot.ts";

const chat = (maxTokens: number): ChatRequest => ({ model: "chat", messages: [{ role: "user", content: "Say this is a test!" }], stream: false, includeUsage: false, max_tokens: maxTokens, raw: {} });
const NOW = new Date("2026-11-25T12:00:00Z");

let limits: RunningLimits;
beforeAll(async () => {
  // Nothing listens there: the replica starts on its in-process counters, at half of every limit.
  limits = await createLimits({ region: "eu", redisUrl: `redis://127.0.0.1:${freePort()}`, replicaShare: 0.5, connectWaitMs: 50 });
});
afterAll(() => limits.close());

test("degraded at share 0.5 of TPM 10,000: a 6,000-token request is too large for good, a 3,000-token one waits, both said against 5,000", async () => {
  expect(limits.degraded()).toBe(true);
  const snapshot = testSnapshot({ [ORG]: {} });
  const key = testKey({ limits: { tpm: 10_000 } });
  const admit = (maxTokens: number) => limits.enforcer.admit({ snapshot, key, tenantId: key.tenantId, featureId: null, request: chat(maxTokens), deployment: DEPLOYMENT, now: NOW });

  const large = await admit(6_000);
  if (large.ok) throw new Error("admitted past the share");
  const tooLarge = renderError(large.error);
  expect(tooLarge.status).toBe(429);
  expect(tooLarge.headers["x-should-retry"]).toBe("false");
  expect(tooLarge.headers["retry-after-ms"]).toBeUndefined();
  expect(large.headers["x-ratelimit-limit-tokens"]).toBe("5000");
  expect(tooLarge.body.error.message).toContain("Request too large for tokens per minute (TPM) on key:key_one: limit 5000 (this replica's share of 10000");

  // Under the share: admitted; a second one waits, told the limit it waits for.
  if (!(await admit(3_000)).ok) throw new Error("refused under the share");
  const waits = await admit(3_000);
  if (waits.ok) throw new Error("admitted past the share");
  const rendered = renderError(waits.error);
  expect(Number(rendered.headers["retry-after-ms"])).toBeGreaterThan(0);
  expect(rendered.headers["x-should-retry"]).toBeUndefined();
  expect(waits.headers["x-ratelimit-limit-tokens"]).toBe("5000");
  expect(rendered.body.error.message).toContain("on key:key_one: limit 5000 (this replica's share of 10000");
});
