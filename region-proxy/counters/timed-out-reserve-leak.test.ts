/**
 * A reserve that times out (Redis slow, not down) is applied by Redis all the same, while the request
 * is refused 503 budget_unavailable (review rh H3). Its id is made before sending, and a release of it
 * is queued as the replica degrades: once Redis answers again the hold is given back, instead of
 * holding the tenant's budget for the reservation's lifetime for a request that never ran.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import Redis from "ioredis";
import { createCountersRedis } from "./counters-redis.ts";
import { createRedisBudgetLedger } from "./redis-budget-ledger.ts";
import { createResilientCounters } from "./resilient-counters.ts";
import { startOwnRedis, type OwnRedis } from "../testing/redis-relay.ts";

const DAY = "day:2026-11-25";
let redis: OwnRedis;

beforeAll(async () => {
  redis = await startOwnRedis();
}, 20_000);
afterAll(async () => {
  await redis?.stop();
});

test("a reserve that timed out but ran in Redis is given back, not held for the reservation TTL", async () => {
  const slow = createCountersRedis(redis.url, { commandTimeoutMs: 250 });
  await new Promise((resolve) => slow.once("ready", resolve));
  const counters = createResilientCounters({ redis: slow, prefix: "p:", timeoutMs: 250, pingIntervalMs: 100 });
  const direct = new Redis(redis.url);
  await direct.ping();
  // Redis stalls for 400 ms (a slow command of another client, a fork on a big dataset): above the
  // counters' 250 ms timeout. The reserve sent meanwhile runs right after the stall.
  const stall = direct.eval("local t = redis.call('TIME'); local s = t[1] * 1000000 + t[2]; repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - s > 400000; return 1", 0);
  await Bun.sleep(20);
  const refused = await counters.budgets.reserve([{ scope: "ten:a", period: DAY, capMicros: 10_000 }], 9_000);
  expect(refused).toMatchObject({ ok: false, unavailable: true });
  await stall;

  // Recovered: Redis answered a ping and every queued write (the release among them) was replayed.
  const deadline = Date.now() + 5_000;
  while (counters.degraded() && Date.now() < deadline) await Bun.sleep(20);
  const recovered = !counters.degraded();
  // The region's Redis, read directly: what the refused request holds there.
  const ledger = createRedisBudgetLedger(direct, { prefix: "p:" });
  const status = await ledger.status("ten:a", DAY);
  counters.close();
  slow.disconnect();
  direct.disconnect();
  expect(recovered).toBe(true);
  // Nothing held for a request that was refused (before the fix: 9000 µ$ of a 10 000 µ$ budget, for 10 min).
  expect(status).toEqual({ spentMicros: 0, reservedMicros: 0 });
}, 20_000);
