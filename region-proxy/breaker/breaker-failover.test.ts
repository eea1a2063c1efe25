/**
 * A Redis failover behind one address (ElastiCache, Sentinel behind DNS): the old primary becomes a
 * replica and keeps the breaker's connection open, answering PING but refusing every write with
 * READONLY, while the address now leads to the promoted node. The breaker must move to the new
 * primary (a new connection) and be shared again there, not flap between degraded and "back" on the
 * old node for as long as the process runs.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import Redis from "ioredis";
import { createBreaker, type RunningBreaker } from "./create-breaker.ts";
import { createRedisBreaker } from "./redis-breaker.ts";
import { startOwnRedis, startRedisRelay, type OwnRedis, type RedisRelay } from "../testing/redis-relay.ts";

let oldPrimary: OwnRedis;
let newPrimary: OwnRedis;
let relay: RedisRelay;
let running: RunningBreaker | undefined;
const direct: Redis[] = [];

beforeAll(async () => {
  [oldPrimary, newPrimary] = await Promise.all([startOwnRedis(), startOwnRedis()]);
  relay = startRedisRelay(oldPrimary.port);
}, 30_000);
afterAll(async () => {
  await running?.close();
  for (const client of direct) client.disconnect();
  relay?.stop();
  await Promise.all([oldPrimary?.stop(), newPrimary?.stop()]);
});

const connect = (port: number) => {
  const client = new Redis(port, "127.0.0.1", { lazyConnect: false });
  direct.push(client);
  return client;
};

test("after a failover the breaker reconnects to the promoted primary: failures open the circuit there for every replica", async () => {
  const lines: string[] = [];
  const prefix = "h16_failover:";
  running = await createBreaker({ region: "eu", redisUrl: relay.url, prefix, failureThreshold: 1, coolDownMs: 60_000, log: (l) => void lines.push(l) });
  expect(running.degraded()).toBe(false);
  await running.breaker.onSuccess("dep_before");

  // The failover: the old primary follows the new one (read-only from now on), the address moves.
  await connect(oldPrimary.port).replicaof("127.0.0.1", newPrimary.port);
  relay.repoint(newPrimary.port);

  // Requests go on failing on dep_x for a few seconds (the ping loop runs every second).
  const deadline = Date.now() + 6_000;
  while (Date.now() < deadline) {
    await running.breaker.onFailure("dep_x");
    await Bun.sleep(100);
  }
  // Another replica, on the new primary, sees the circuit open.
  const other = createRedisBreaker(connect(newPrimary.port), { prefix, failureThreshold: 1, coolDownMs: 60_000 });
  expect(await other.canAttempt("dep_x")).toBe(false);
  expect(running.degraded()).toBe(false);
  // Not a switch to degraded and back every second.
  expect(lines.filter((l) => l.includes("circuit breaker")).length).toBeLessThanOrEqual(4);
}, 30_000);
