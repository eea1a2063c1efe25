/**
 * The shared suite on Redis with two separate connections as two replicas: they share state, and the
 * half-open probe test proves only one of them gets the probe. A call naming its attempt (what the
 * resilient breaker tells late) applies only while the probe slot is that attempt's.
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

  test("a verdict naming its attempt applies only while the circuit's probe slot is that attempt's", async () => {
    let client!: Redis;
    let keyPrefix = "";
    const [a, b] = replicas.pair((redis, prefix) => {
      client ??= redis;
      keyPrefix = prefix;
      return createRedisBreaker(redis, { prefix, failureThreshold: 1, coolDownMs: 1_000, probeTimeoutMs: 60_000 });
    });
    const state = async (dep: string) => client.hmget(`${keyPrefix}br:${dep}`, "f", "o");

    // The probe's own verdicts: applied.
    await b.onFailure("dep_own", T0);
    expect(await a.canAttempt("dep_own", T0 + 1_000, "a:1")).toBe("probe");
    await a.onSuccess("dep_own", T0 + 1_100, "a:1");
    expect(await client.exists(`${keyPrefix}br:dep_own`)).toBe(0);
    await b.onFailure("dep_own_fail", T0);
    expect(await a.canAttempt("dep_own_fail", T0 + 1_000, "a:2")).toBe("probe");
    await a.onFailure("dep_own_fail", T0 + 1_100, "a:2");
    expect(await state("dep_own_fail")).toEqual(["2", String(T0 + 2_100)]);

    // Re-opened since (another request failed): the probe's success, failure and release change nothing.
    await b.onFailure("dep_moved", T0);
    expect(await a.canAttempt("dep_moved", T0 + 1_000, "a:3")).toBe("probe");
    await b.onFailure("dep_moved", T0 + 1_050);
    await a.onSuccess("dep_moved", T0 + 1_100, "a:3");
    await a.onFailure("dep_moved", T0 + 2_050, "a:3");
    expect(await state("dep_moved")).toEqual(["2", String(T0 + 2_050)]);
    // ...nor once another attempt holds the slot: a late release does not free it.
    expect(await b.canAttempt("dep_moved", T0 + 2_050, "b:1")).toBe("probe");
    await a.releaseProbe("dep_moved", T0 + 2_100, "a:3");
    expect(await a.canAttempt("dep_moved", T0 + 2_100)).toBe(false);
    await b.releaseProbe("dep_moved", T0 + 2_100, "b:1");
    expect(await a.canAttempt("dep_moved", T0 + 2_100)).toBe("probe");

    // A grant on a closed circuit holds no slot: its verdicts change nothing, whatever came since.
    expect(await a.canAttempt("dep_closed", T0, "a:4")).toBe(true);
    await b.onFailure("dep_closed", T0 + 10);
    await a.onSuccess("dep_closed", T0 + 20, "a:4");
    expect(await state("dep_closed")).toEqual(["1", String(T0 + 1_010)]);
    // Told without naming an attempt, a success closes it as before.
    await a.onSuccess("dep_closed", T0 + 30);
    expect(await client.exists(`${keyPrefix}br:dep_closed`)).toBe(0);
  });
});
