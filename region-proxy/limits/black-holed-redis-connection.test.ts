/**
 * A Redis connection that silently dies (a failed-over node, a partition: no reply, no RST) while a new
 * connection to the same address works. The counters go degraded on the first timeout; the replica must
 * then replace the dead connection and come back to the shared counters within seconds, not stay
 * degraded (budgeted keys refused with 503 budget_unavailable) until the kernel gives the socket up.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { APIError } from "openai";
import { hashSecret } from "../../shared/ids.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { startOwnRedis, startRedisRelay, type OwnRedis, type RedisRelay } from "../testing/redis-relay.ts";

let redis: OwnRedis;
let relay: RedisRelay;
let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  redis = await startOwnRedis();
  relay = startRedisRelay(redis.port);
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1, (s) => {
    s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: 100_000_000 };
  }));
  proxy = await fx.startProxy({ redisUrl: relay.url });
}, 30_000);
afterAll(async () => {
  await fx?.cleanup();
  relay?.stop();
  await redis?.stop();
});

const ask = () =>
  fx.client(proxy).chat.completions.create({ model: "chat", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }).then(
    () => "ok",
    (e: APIError) => `${e.status} ${e.code}`,
  );
const health = async () => (await (await fetch(`${proxy.url}/health`)).json()) as { status: string; degraded: string[] };

test("after its Redis connections are black-holed, a replica replaces them and serves budgeted keys from the shared counters again within seconds", async () => {
  expect(await ask()).toBe("ok");
  expect((await health()).status).toBe("ok");

  relay.blackHoleExisting();
  // The budget's reserve waits for its timeout on the dead connection: the counters turn degraded.
  await ask();
  expect(fx.logs.some((l) => l.startsWith("limits: Redis unreachable"))).toBe(true);

  // Generous bound for a loaded CI machine; without a replacement the connection stays dead for ever here.
  const deadline = Date.now() + 20_000;
  let last = { health: "", asks: [] as string[] };
  while (Date.now() < deadline) {
    const asks = [await ask(), await ask()];
    last = { health: (await health()).status, asks };
    if (last.health === "ok" && asks.every((a) => a === "ok")) break;
    await Bun.sleep(250);
  }
  expect(last).toEqual({ health: "ok", asks: ["ok", "ok"] });
  expect(fx.logs).toContain("limits: Redis is back; counters shared again");
}, 40_000);
