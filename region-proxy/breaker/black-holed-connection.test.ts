/**
 * The shared breaker's Redis connection silently dies (no reply, no RST) while a new connection to the
 * same address works: the breaker must replace it and record to Redis again within seconds, instead of
 * waiting on the dead socket until the kernel gives it up.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import Redis from "ioredis";
import { startOwnRedis, startRedisRelay, type OwnRedis, type RedisRelay } from "../testing/redis-relay.ts";
import { createBreaker, type RunningBreaker } from "./create-breaker.ts";

let redis: OwnRedis;
let relay: RedisRelay;
let direct: Redis;
let running: RunningBreaker;

beforeAll(async () => {
  redis = await startOwnRedis();
  relay = startRedisRelay(redis.port);
  direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  running = await createBreaker({ region: "eu", redisUrl: relay.url, prefix: "bh:", failureThreshold: 1 });
}, 20_000);
afterAll(async () => {
  await running?.close();
  direct?.disconnect();
  relay?.stop();
  await redis?.stop();
});

test("black-holed connection: the breaker's failures reach Redis again within seconds", async () => {
  await running.breaker.onFailure("dep_before");
  expect(await direct.exists("bh:br:dep_before")).toBe(1);

  relay.blackHoleExisting();
  // Generous bound for a loaded CI machine; without a replacement the connection stays dead for ever here.
  const deadline = Date.now() + 20_000;
  let recorded = false;
  for (let i = 0; !recorded && Date.now() < deadline; i++) {
    await Promise.resolve(running.breaker.onFailure(`dep_${i}`)).catch(() => {});
    recorded = (await direct.exists(`bh:br:dep_${i}`)) === 1;
    if (!recorded) await Bun.sleep(250);
  }
  expect(recorded).toBe(true);
  expect(running.degraded()).toBe(false);
}, 30_000);
