/**
 * A Redis failover behind one address (ElastiCache, Sentinel behind DNS): the old primary becomes a
 * replica and keeps the breaker's connection open, answering PING but refusing every write with
 * READONLY, while the address now leads to the promoted node. The breaker must move to the new
 * primary (a new connection) and be shared again there, not flap between degraded and "back" on the
 * old node for as long as the process runs.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createBreaker, type RunningBreaker } from "./create-breaker.ts";
import { createRedisBreaker } from "./redis-breaker.ts";
import { startFailoverPair, type FailoverPair } from "../testing/redis-relay.ts";

let pair: FailoverPair;
let running: RunningBreaker | undefined;

beforeAll(async () => {
  pair = await startFailoverPair();
}, 30_000);
afterAll(async () => {
  await running?.close();
  await pair?.stop();
});

test("after a failover the breaker reconnects to the promoted primary: failures open the circuit there for every replica", async () => {
  const lines: string[] = [];
  const prefix = "h16_failover:";
  running = await createBreaker({ region: "eu", redisUrl: pair.relay.url, prefix, failureThreshold: 1, coolDownMs: 60_000, log: (l) => void lines.push(l) });
  expect(running.degraded()).toBe(false);
  await running.breaker.onSuccess("dep_before");

  // The failover: the old primary follows the new one (read-only from now on), the address moves.
  await pair.failover();

  // Requests go on failing on dep_x for a few seconds (the ping loop runs every second).
  const deadline = Date.now() + 6_000;
  while (Date.now() < deadline) {
    await running.breaker.onFailure("dep_x");
    await Bun.sleep(100);
  }
  // Another replica, on the new primary, sees the circuit open.
  const other = createRedisBreaker(pair.direct(pair.newPrimary), { prefix, failureThreshold: 1, coolDownMs: 60_000 });
  expect(await other.canAttempt("dep_x")).toBe(false);
  expect(running.degraded()).toBe(false);
  // Not a switch to degraded and back every second.
  expect(lines.filter((l) => l.includes("circuit breaker")).length).toBeLessThanOrEqual(4);
}, 30_000);
