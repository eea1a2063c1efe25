import { expect, test } from "bun:test";
import { useRedisReplicaPair } from "../../test/support/redis.ts";
import { describeRateLimiter } from "./rate-limiter.suite.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";

// Two ioredis connections = two replicas; a fresh sub-prefix per test keeps tests independent.
const replicas = useRedisReplicaPair();

describeRateLimiter("Redis", {
  async pair() {
    return replicas.pair((redis, prefix) => createRedisRateLimiter(redis, { prefix }));
  },
});

const T0 = 1_764_000_000_000;

test("a TAT written without its limit (an older proxy, mid rolling deploy) is read at the limit asked", async () => {
  let keyPrefix = "";
  const [limiter, redis] = replicas.pair((r, prefix) => {
    keyPrefix = prefix;
    return [createRedisRateLimiter(r, { prefix }), r] as const;
  })[0];
  // What an older proxy leaves after 20 requests at 100 rpm: the TAT alone, 12 s ahead.
  await redis.set(`${keyPrefix}{rl}:rl:r:key:key_old`, String(T0 + 12_000), "PX", 60_000);
  const next = await limiter.acquire([{ scope: "key:key_old", rpm: 100 }], 0, T0);
  expect(next.requests).toEqual({ limit: 100, remaining: 79, resetMs: 12_600 });
  // From then on the limit is stored beside it, and a change to 2 rpm keeps the 21 requests used.
  expect(await limiter.acquire([{ scope: "key:key_old", rpm: 2 }], 0, T0)).toMatchObject({ allowed: false, retryAfterMs: 600_000 });
});
