/**
 * The counters' client after a Redis failover behind one address: the old primary, now a replica,
 * keeps the connection and refuses every write with READONLY while answering PING (so the resilient
 * counters' recovery ping brought them back on it every second, and each write degraded them again).
 * The client must replace the connection and reach the promoted node.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import Redis from "ioredis";
import { createCountersRedis } from "./counters-redis.ts";
import { startOwnRedis, startRedisRelay, type OwnRedis, type RedisRelay } from "../testing/redis-relay.ts";

let oldPrimary: OwnRedis;
let newPrimary: OwnRedis;
let relay: RedisRelay;
const clients: Redis[] = [];

beforeAll(async () => {
  [oldPrimary, newPrimary] = await Promise.all([startOwnRedis(), startOwnRedis()]);
  relay = startRedisRelay(oldPrimary.port);
}, 30_000);
afterAll(async () => {
  for (const client of clients) client.disconnect();
  relay?.stop();
  await Promise.all([oldPrimary?.stop(), newPrimary?.stop()]);
});

test("a write refused with READONLY replaces the connection: the next writes reach the promoted primary", async () => {
  const counters = createCountersRedis(relay.url, { commandTimeoutMs: 200 });
  const admin = new Redis(oldPrimary.port, "127.0.0.1");
  clients.push(counters, admin);
  if (counters.status !== "ready") await new Promise((resolve) => counters.once("ready", resolve));
  await counters.set("h16_failover:before", "1");

  await admin.replicaof("127.0.0.1", newPrimary.port);
  relay.repoint(newPrimary.port);

  const errors: string[] = [];
  const deadline = Date.now() + 5_000;
  let written = false;
  while (!written && Date.now() < deadline) {
    written = await counters.set("h16_failover:after", "1").then(
      () => true,
      (error: Error) => {
        errors.push(error.message);
        return false;
      },
    );
    if (!written) await Bun.sleep(100);
  }
  expect(errors[0]).toStartWith("READONLY");
  expect(written).toBe(true);
  const promoted = new Redis(newPrimary.port, "127.0.0.1");
  clients.push(promoted);
  expect(await promoted.get("h16_failover:after")).toBe("1");
}, 30_000);
