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

describe("Redis circuit breaker, what each call writes", () => {
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

  test("a success resets a failure another replica counted while the request was in flight", async () => {
    const { a, b, failures } = pairWithClient();
    expect(await a.canAttempt("dep_c", T0)).toBe(true);
    await b.onFailure("dep_c", T0);
    await a.onSuccess("dep_c", T0);
    expect(await failures("dep_c")).toBeNull();
  });

  test("an attempt on a closed breaker, a release or a cool-down question on one nobody touched, writes nothing", async () => {
    const { a, failures } = pairWithClient();
    expect(await a.canAttempt("dep_e", T0)).toBe(true);
    await a.releaseProbe("dep_e", T0);
    expect(await a.coolDownLeftMs("dep_e", T0)).toBe(0);
    expect(await failures("dep_e")).toBeNull();
  });

  test("a replica's own failure makes its next success reset, even with no attempt in between", async () => {
    const { a, failures } = pairWithClient();
    expect(await a.canAttempt("dep_d", T0)).toBe(true);
    await a.onFailure("dep_d", T0);
    await a.onSuccess("dep_d", T0);
    expect(await failures("dep_d")).toBeNull();
  });

  test("an open breaker's key outlives its cool-down, and a probe's key its slot, however long they are", async () => {
    let client!: Redis;
    let keyPrefix = "";
    const day = 86_400_000;
    const [a] = replicas.pair((redis, prefix) => {
      client ??= redis;
      keyPrefix = prefix;
      return createRedisBreaker(redis, { prefix, failureThreshold: 1, coolDownMs: 2 * day });
    });
    await a.onFailure("dep_long", T0);
    // Past the 24 h idle TTL: the key must not expire (closing the breaker) while the cool-down runs.
    expect(await client.pttl(`${keyPrefix}br:dep_long`)).toBeGreaterThan(2 * day - 60_000);
    expect(await a.canAttempt("dep_long", T0 + 2 * day)).toBe("probe");
    expect(await client.pttl(`${keyPrefix}br:dep_long`)).toBeGreaterThan(2 * day - 60_000);
  });
});
