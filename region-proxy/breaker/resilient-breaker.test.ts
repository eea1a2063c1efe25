/**
 * The shared breaker with its in-process fallback: healthy, it is the Redis breaker (the shared suite,
 * two connections as two replicas); on a hung Redis (our own redis-server, SIGSTOP) it switches once,
 * answers from memory at once with the outcomes it was told, and goes back to Redis when it answers.
 * A probe slot it may hold in Redis is resolved there once Redis answers: the probe's verdict that
 * Redis did not hear (black-holed connection, or told while degraded) and the verdict of a grant whose
 * reply was lost (applied by Redis after the call timed out) are told before it asks Redis again, and
 * applied only while the slot is still that request's: a verdict told late never undoes what other
 * replicas saw meanwhile (a circuit they opened stays open).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Redis from "ioredis";
import { useRedisReplicaPair } from "../../test/support/redis.ts";
import { startOwnRedis, startRedisRelay, type OwnRedis, type RedisRelay } from "../testing/redis-relay.ts";
import type { CircuitBreaker } from "./breaker-types.ts";
import { describeBreaker } from "./breaker.suite.ts";
import { createRedisBreaker } from "./redis-breaker.ts";
import { createResilientBreaker, type ResilientBreaker } from "./resilient-breaker.ts";

const replicas = useRedisReplicaPair();

describeBreaker("Redis with in-process fallback", {
  async pair(options) {
    return replicas.pair((redis, prefix) => createResilientBreaker({ ...options, redis, prefix }));
  },
});

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

async function untilAsync(condition: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

describe("resilient breaker on a Redis that hangs", () => {
  let redis: OwnRedis;
  let client: Redis;
  let breaker: ResilientBreaker;
  const changes: boolean[] = [];

  beforeAll(async () => {
    redis = await startOwnRedis();
    client = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 100, socketTimeout: 2_000, lazyConnect: true });
    client.on("error", () => {});
    await client.connect();
    breaker = createResilientBreaker({ redis: client, prefix: "rb:", failureThreshold: 3, coolDownMs: 60_000, pingIntervalMs: 100, onStateChange: (d) => changes.push(d) });
  }, 20_000);
  afterAll(async () => {
    breaker?.close();
    client?.disconnect();
    redis?.resume();
    await redis?.stop();
  });

  test("switches once, skips a deployment after the threshold from memory without waiting, and is back on Redis when it answers", async () => {
    expect(await breaker.canAttempt("dep_a")).toBe(true);
    await breaker.onFailure("dep_a");
    expect(await client.hget("rb:br:dep_a", "f")).toBe("1");
    expect(breaker.degraded()).toBe(false);

    redis.pause();
    await breaker.onFailure("dep_a"); // times out on Redis: degraded; the in-process breaker heard it (and the first)
    expect(breaker.degraded()).toBe(true);
    expect(changes).toEqual([true]);
    // Synchronous answers (not promises): a request waits for no Redis timeout while degraded.
    expect(breaker.canAttempt("dep_a")).toBe(true);
    expect(breaker.onFailure("dep_a")).toBeUndefined();
    expect(breaker.canAttempt("dep_a")).toBe(false);
    expect(breaker.coolDownLeftMs("dep_a")).toBeGreaterThan(50_000);
    expect(changes).toEqual([true]);

    redis.resume();
    await until(() => !breaker.degraded(), "the breaker to return to Redis");
    expect(changes).toEqual([true, false]);
    // Back on Redis: what it answers is the shared state, which heard one failure of dep_a.
    expect(await breaker.canAttempt("dep_a")).toBe(true);
    await breaker.onFailure("dep_b");
    expect(await client.hget("rb:br:dep_b", "f")).toBe("1");
  }, 30_000);
});

describe("resilient breaker: a probe slot it may hold in Redis when Redis fails", () => {
  // Replica A (resilient, through a relay that can black-hole its connection) and replica B (Redis
  // only). A probe slot lasts 60 s: every assertion below comes long before it could lapse by itself.
  const COOL_DOWN_MS = 200;
  const options = { prefix: "ps:", failureThreshold: 1, coolDownMs: COOL_DOWN_MS, probeTimeoutMs: 60_000 };
  let redis: OwnRedis;
  let relay: RedisRelay;
  let clientA: Redis;
  let clientB: Redis;
  let a: ResilientBreaker;
  let b: CircuitBreaker;

  beforeAll(async () => {
    redis = await startOwnRedis();
    relay = startRedisRelay(redis.port);
    // socketTimeout: a black-holed connection is replaced within half a second (create-breaker.ts does the same).
    clientA = new Redis(relay.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 100, socketTimeout: 500, lazyConnect: true });
    clientA.on("error", () => {});
    await clientA.connect();
    clientB = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    a = createResilientBreaker({ ...options, redis: clientA, pingIntervalMs: 100 });
    b = createRedisBreaker(clientB, options);
  }, 20_000);
  afterAll(async () => {
    a?.close();
    clientA?.disconnect();
    clientB?.disconnect();
    relay?.stop();
    redis?.resume();
    await redis?.stop();
  });

  /** B opens the circuit (threshold 1) and waits out the cool-down: half-open, no probe out. */
  async function halfOpen(depId: string): Promise<void> {
    await b.onFailure(depId);
    await Bun.sleep(COOL_DOWN_MS + 50);
  }

  test("the probe's verdict Redis did not hear (its connection went silent, or told while degraded) is told once Redis answers", async () => {
    await halfOpen("dep_up");
    await halfOpen("dep_down");
    await halfOpen("dep_gone");
    expect(await a.canAttempt("dep_up")).toBe("probe");
    expect(await a.canAttempt("dep_down")).toBe("probe");
    expect(await a.canAttempt("dep_gone")).toBe("probe");
    expect(await b.canAttempt("dep_up")).toBe(false); // A's probes hold the slots

    relay.blackHoleExisting();
    await a.onSuccess("dep_up"); // lost in the silent connection: times out, degraded
    expect(a.degraded()).toBe(true);
    expect(a.onFailure("dep_down")).toBeUndefined(); // degraded: in-process only, at once
    expect(a.releaseProbe("dep_gone")).toBeUndefined();

    await until(() => !a.degraded(), "A back on Redis", 10_000);
    // Without the verdicts the slots would be held for another minute and B would skip all three.
    expect(await b.canAttempt("dep_up")).toBe(true); // closed by the probe's success
    expect(await b.canAttempt("dep_gone")).toBe("probe"); // the slot was given back
    expect(await b.coolDownLeftMs("dep_down")).toBeGreaterThan(0); // re-opened by the probe's failure...
    await Bun.sleep(COOL_DOWN_MS + 50);
    expect(await b.canAttempt("dep_down")).toBe("probe"); // ...for one cool-down, then probed again
  }, 20_000);

  test("a grant whose reply was lost (applied by Redis after the call timed out): the request's verdict is told once Redis answers", async () => {
    await halfOpen("dep_late_up");
    await halfOpen("dep_late_none");
    redis.pause();
    // A's in-process breaker never saw these deployments fail: it allows, as the probe the Redis slot
    // may be, so the request reports how it ended whatever that is.
    const grants = await Promise.all([a.canAttempt("dep_late_up"), a.canAttempt("dep_late_none")]);
    expect(a.degraded()).toBe(true);
    redis.resume(); // Redis now runs both attempts: both slots are taken, with no replica knowing
    expect(grants).toEqual(["probe", "probe"]);
    await a.onSuccess("dep_late_up");
    await a.releaseProbe("dep_late_none"); // e.g. the vendor answered 429: no verdict

    await until(() => !a.degraded(), "A back on Redis", 10_000);
    expect(await b.canAttempt("dep_late_up")).toBe(true);
    expect(await b.canAttempt("dep_late_none")).toBe("probe");
  }, 20_000);

  test("a success told late does not close a circuit other replicas opened meanwhile: the reply lost on a closed circuit (review R)", async () => {
    relay.blackHoleExisting();
    // A closed circuit, the reply lost: handed out as the probe the Redis slot may be.
    expect(await a.canAttempt("dep_closed_then_open")).toBe("probe");
    expect(a.degraded()).toBe(true);
    a.onSuccess("dep_closed_then_open"); // A's request answered (degraded: owed to Redis)
    await b.onFailure("dep_closed_then_open"); // later, B sees the deployment fail: open

    await until(() => !a.degraded(), "A back on Redis", 10_000);
    // The failure came after the success: the circuit B opened is as B left it.
    expect(await clientB.hmget("ps:br:dep_closed_then_open", "f", "p")).toEqual(["1", "0"]);
    expect(await b.canAttempt("dep_closed_then_open")).toBe("probe"); // its cool-down over: half-open, not closed
  }, 20_000);

  test("a half-open grant whose reply was lost: its late verdicts change nothing once the circuit re-opened or another probe holds the slot", async () => {
    // A replica of its own that pings Redis only every 2 s: it stays degraded until all below is done.
    const clientSlow = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 100, socketTimeout: 500, lazyConnect: true });
    clientSlow.on("error", () => {});
    await clientSlow.connect();
    const slow = createResilientBreaker({ ...options, redis: clientSlow, pingIntervalMs: 2_000 });
    try {
      await halfOpen("dep_reopened");
      await halfOpen("dep_reprobed");
      redis.pause();
      const grants = await Promise.all([slow.canAttempt("dep_reopened"), slow.canAttempt("dep_reprobed")]);
      expect(grants).toEqual(["probe", "probe"]);
      expect(slow.degraded()).toBe(true);
      redis.resume(); // Redis now runs both attempts: both slots are this replica's, with it not knowing
      await untilAsync(async () => (await clientB.hget("ps:br:dep_reprobed", "p")) !== "0", "the attempts run by Redis");
      // Other requests, in flight since before the circuits opened, fail: both re-open.
      await b.onFailure("dep_reopened");
      await b.onFailure("dep_reprobed");
      slow.onSuccess("dep_reopened"); // the lost grant's request answered: owed
      await Bun.sleep(COOL_DOWN_MS + 50);
      expect(await b.canAttempt("dep_reprobed")).toBe("probe"); // B's probe holds the slot now
      slow.releaseProbe("dep_reprobed"); // the lost grant's request ended with no verdict: owed
      expect(slow.degraded()).toBe(true);

      await until(() => !slow.degraded(), "the replica back on Redis", 10_000);
      expect(await clientB.hget("ps:br:dep_reopened", "f")).toBe("2"); // not closed by the late success
      expect(await b.canAttempt("dep_reprobed")).toBe(false); // B's probe slot was not freed by the late release
      await b.onSuccess("dep_reprobed");
    } finally {
      slow.close();
      clientSlow.disconnect();
    }
  }, 20_000);

  test("healthy, a probe's verdict goes to Redis as before and nothing is kept to tell again", async () => {
    await halfOpen("dep_plain");
    expect(await a.canAttempt("dep_plain")).toBe("probe");
    await a.onFailure("dep_plain");
    expect(await b.coolDownLeftMs("dep_plain")).toBeGreaterThan(0);
    await Bun.sleep(COOL_DOWN_MS + 50);
    expect(await b.canAttempt("dep_plain")).toBe("probe");
    await b.onSuccess("dep_plain");
    // A later outage tells nothing about dep_plain: B's success stands.
    redis.pause();
    await a.onFailure("dep_other");
    redis.resume();
    await until(() => !a.degraded(), "A back on Redis", 10_000);
    expect(await clientB.exists("ps:br:dep_plain")).toBe(0);
  }, 20_000);
});
