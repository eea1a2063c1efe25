/**
 * The shared suite on Redis with two separate connections as two replicas: they share state, and the
 * half-open probe test proves only one of them gets the probe.
 */
import { describe, expect, test } from "bun:test";
import type { Redis } from "ioredis";
import { useRedisReplicaPair } from "../../test/support/redis.ts";
import { describeBreaker } from "./breaker.suite.ts";
import { createRedisBreaker } from "./redis-breaker.ts";

// Two ioredis connections = two replicas; a fresh sub-prefix per test keeps tests independent.
const replicas = useRedisReplicaPair();

describeBreaker("Redis", {
  async pair(options) {
    return replicas.pair((redis, prefix) => createRedisBreaker(redis, { ...options, prefix }));
  },
});

describe("Redis circuit breaker, calls per request", () => {
  const T0 = 1_764_000_000_000;
  const pairWithClient = () => {
    let client!: Redis;
    let keyPrefix = "";
    const [a, b] = replicas.pair((redis, prefix) => {
      client ??= redis;
      keyPrefix = prefix;
      return createRedisBreaker(redis, { prefix });
    });
    return { a, b, failures: async (dep: string) => client.hget(`${keyPrefix}br:${dep}`, "f") };
  };

  test("a success after an attempt that saw no failure writes nothing; one that saw a failure resets it", async () => {
    const { a, b, failures } = pairWithClient();
    expect(await a.canAttempt("dep_c", T0)).toBe(true);
    // B counts a failure while A's request is in flight: A's success skips the reset it did not know was needed.
    await b.onFailure("dep_c", T0);
    await a.onSuccess("dep_c", T0);
    expect(await failures("dep_c")).toBe("1");
    // The next request on A sees the failure, so its success resets the count.
    expect(await a.canAttempt("dep_c", T0)).toBe(true);
    await a.onSuccess("dep_c", T0);
    expect(await failures("dep_c")).toBeNull();
  });

  test("a replica's own failure makes its next success reset, even with no attempt in between", async () => {
    const { a, failures } = pairWithClient();
    expect(await a.canAttempt("dep_d", T0)).toBe(true);
    await a.onFailure("dep_d", T0);
    await a.onSuccess("dep_d", T0);
    expect(await failures("dep_d")).toBeNull();
  });
});
