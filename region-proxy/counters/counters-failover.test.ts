/**
 * The counters' client after a Redis failover behind one address: the old primary, now a replica,
 * keeps the connection and refuses every write with READONLY while answering PING (so the resilient
 * counters' recovery ping brought them back on it every second, and each write degraded them again).
 * The client must replace the connection and reach the promoted node. The writes are the limiter's
 * own script (defineCommand), as every counters write is: a script's refused write is what the
 * client must recognise (counters-redis.test.ts has the forms other servers give it).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createCountersRedis } from "./counters-redis.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";
import { startFailoverPair, type FailoverPair } from "../testing/redis-relay.ts";

let pair: FailoverPair;
/** The client under test, disconnected after it. */
let underTest: { disconnect(): void } | undefined;

beforeAll(async () => {
  pair = await startFailoverPair();
}, 30_000);
afterAll(async () => {
  underTest?.disconnect();
  await pair?.stop();
});

test("a script's write refused with READONLY replaces the connection: the next writes reach the promoted primary", async () => {
  const counters = createCountersRedis(pair.relay.url, { commandTimeoutMs: 200 });
  underTest = counters;
  if (counters.status !== "ready") await new Promise((resolve) => counters.once("ready", resolve));
  const limiter = createRedisRateLimiter(counters, { prefix: "h16_failover:" });
  const checks = [{ scope: "ten:failover", rpm: 1_000 }];
  expect((await limiter.acquire(checks, 1)).allowed).toBe(true);

  await pair.failover();

  const errors: string[] = [];
  const deadline = Date.now() + 5_000;
  let written = false;
  while (!written && Date.now() < deadline) {
    written = await limiter.acquire(checks, 1).then(
      (verdict) => verdict.allowed,
      (error: Error) => {
        errors.push(error.message);
        return false;
      },
    );
    if (!written) await Bun.sleep(100);
  }
  expect(errors[0]).toStartWith("READONLY");
  expect(written).toBe(true);
  expect(await pair.direct(pair.newPrimary).keys("h16_failover:*")).toContain("h16_failover:{rl}:rl:r:ten:failover");
}, 30_000);
