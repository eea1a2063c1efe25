/**
 * Two replicas sharing the breaker through Redis (our own redis-server, each replica through its own
 * relay). Replica A holds the half-open probe slot in Redis when its connection goes silent mid-probe:
 * the probe succeeds, but its verdict reaches only A's in-process breaker. Redis holds the slot for the
 * deployment's total timeout (30 s here, 120 s by default), and with no fallback every replica answered
 * 503 all that time. A now tells Redis the verdict once Redis answers again: both replicas serve the
 * deployment within moments of A's recovery, long before the slot would lapse.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import Redis from "ioredis";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { startOwnRedis, startRedisRelay, type OwnRedis, type RedisRelay } from "../testing/redis-relay.ts";

const COOL_DOWN_MS = 300;
const TOTAL_MS = 30_000; // the deployment's total timeout: how long Redis holds a probe's slot
const PROBE_CALL_MS = 400;
const DEP = "dep_blip";

/** An OpenAI-shaped vendor: answers 500 while `failing`, else answers after `delayMs`. */
function blipVendor() {
  const state = { failing: true, delayMs: 0, calls: 0, inFlight: 0 };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch() {
      state.calls++;
      if (state.failing) return Response.json({ error: { message: "The server had an error", type: "server_error", param: null, code: null } }, { status: 500 });
      state.inFlight++;
      await Bun.sleep(state.delayMs);
      state.inFlight--;
      return Response.json({ id: "chatcmpl-1", object: "chat.completion", created: 1, model: "blip-1", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    },
  });
  return { server, state };
}

let fx: ProxyFixture;
let redis: OwnRedis;
let direct: Redis;
let vendor: ReturnType<typeof blipVendor>;
const relays: RedisRelay[] = [];
const replicas: RunningProxy[] = [];

beforeAll(async () => {
  fx = await createProxyFixture();
  vendor = blipVendor();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments[DEP] = { id: DEP, provider: "openai", baseUrl: `http://127.0.0.1:${vendor.server.port}/v1`, model: "blip-1", region: REGION, credentialRef: "env:OPENAI_KEY" };
      s.aliases["blip-only"] = { name: "blip-only", chain: [DEP] }; // no fallback: a skipped deployment is a 503
    }),
  );
  redis = await startOwnRedis();
  direct = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  for (let i = 0; i < 2; i++) {
    const relay = startRedisRelay(redis.port);
    relays.push(relay);
    replicas.push(
      await fx.startProxy({
        redisUrl: relay.url,
        dataDir: fx.freshDataDir(),
        totalTimeoutMs: TOTAL_MS,
        credentials: { OPENAI_KEY: "sk-openai-fake" },
        breaker: { failureThreshold: 1, coolDownMs: COOL_DOWN_MS, prefix: "pvb:" },
      }),
    );
  }
}, 30_000);
afterAll(async () => {
  await fx?.cleanup();
  vendor?.server.stop(true);
  for (const relay of relays) relay.stop();
  direct?.disconnect();
  await redis?.stop();
});

/** The status a request to the deployment (no fallback) ends with: 200 or the gateway's error status. */
function ask(proxy: RunningProxy): Promise<number> {
  return fx
    .client(proxy, undefined, { timeout: 30_000, maxRetries: 0 })
    .chat.completions.create({ model: "blip-only", messages: [{ role: "user", content: "hi" }] })
    .then(() => 200, (error: { status?: number }) => error.status ?? 0);
}

const breakerDegraded = async (proxy: RunningProxy) => ((await (await fetch(`${proxy.url}/health`)).json()) as { breakerDegraded: boolean }).breakerDegraded;

test("a probe that succeeds while its replica's Redis connection is silent: once that replica is back on Redis, every replica serves the deployment", async () => {
  const [a, b] = [replicas[0]!, replicas[1]!];
  expect(await ask(a)).toBe(502); // the 500 opens the circuit for both replicas (threshold 1)
  expect(await ask(b)).toBe(503);
  expect(vendor.state.calls).toBe(1);

  vendor.state.failing = false;
  vendor.state.delayMs = PROBE_CALL_MS;
  await Bun.sleep(COOL_DOWN_MS + 100); // half-open
  const probe = ask(a); // A takes the probe slot in Redis
  await waitFor(() => vendor.state.inFlight === 1, "the probe at the vendor");
  relays[0]!.blackHoleExisting(); // A's Redis connection goes silent mid-probe
  expect(await ask(b)).toBe(503); // the slot is A's probe's
  expect(await probe).toBe(200); // its success goes to Redis into the silence
  vendor.state.delayMs = 0;

  await waitFor(() => breakerDegraded(a), "A to notice the outage", 5_000);
  // Redis still holds the probe's slot, for the deployment's total timeout.
  const [circuit] = await direct.keys(`pvb:br:${DEP}#*`);
  expect(Number(await direct.hget(circuit!, "p")) - Date.now()).toBeGreaterThan(TOTAL_MS - 5_000);
  await waitFor(async () => !(await breakerDegraded(a)), "A back on Redis (a new connection)", 10_000);
  const recoveredAt = Date.now();
  // The probe's success was told before A used Redis again: the circuit is closed, the slot gone.
  expect(await direct.exists(circuit!)).toBe(0);
  expect([await ask(a), await ask(b)]).toEqual([200, 200]);
  expect(Date.now() - recoveredAt).toBeLessThan(2_000);
}, 30_000);
