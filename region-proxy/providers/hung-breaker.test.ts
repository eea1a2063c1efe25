/**
 * A breaker store that stops answering (Redis black-holed, a breaker that never settles) cannot hold a
 * request past its total deadline: each breaker question is bounded by the time the request has left,
 * and the deadline is checked again right after the breaker answered. What is told after the deadline
 * is sent without waiting, so a healthy store is never logged as not answering.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createTestRedis, type TestRedis } from "../../test/support/redis.ts";
import { createBreaker } from "../breaker/create-breaker.ts";
import type { DeploymentHealth } from "./deployment-health.ts";
import { executeChat, type ExecuteOptions } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { UNIT_TEST_WAIT_MS, waitFor } from "../testing/wait-for.ts";

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(() => redis.cleanup());

const servers: { stop(closeActive?: boolean): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

function vendor(handle: () => Response | Promise<Response>): string {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: handle });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

/**
 * A TCP relay to the test Redis that, once `blackHole()` is called, passes nothing more either way: a
 * Redis that hangs mid-connection. With `replyDelayMs`, every reply comes that much later, in order:
 * a healthy Redis on another host.
 */
function redisRelay(replyDelayMs = 0) {
  const upstream = new URL(redis.url);
  let silent = false;
  const listener = Bun.listen<{ up: ReturnType<typeof Bun.connect> extends Promise<infer S> ? S | null : never; held: Uint8Array[] }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        client.data = { up: null, held: [] };
        void Bun.connect({
          hostname: upstream.hostname,
          port: Number(upstream.port || 6379),
          socket: {
            data(_up, bytes) {
              if (silent) return;
              if (replyDelayMs === 0) client.write(bytes);
              else {
                const copy = new Uint8Array(bytes);
                setTimeout(() => !silent && client.write(copy), replyDelayMs);
              }
            },
            close() {
              client.end();
            },
          },
        }).then((up) => {
          client.data.up = up;
          for (const bytes of client.data.held) up.write(bytes);
        });
      },
      data(client, bytes) {
        if (silent) return;
        if (client.data.up) client.data.up.write(bytes);
        else client.data.held.push(new Uint8Array(bytes));
      },
      close(client) {
        client.data.up?.end();
      },
    },
  });
  servers.push(listener);
  return { url: `redis://127.0.0.1:${listener.port}`, blackHole: () => void (silent = true) };
}

const completion = { id: "x", object: "chat.completion", created: 1, model: "m1", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
const messages = [{ role: "user", content: "hi" }];
const chat = () => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } }) as unknown as ChatRequest;
const target = (id: string, url: string) => ({
  deployment: { id, provider: "openai", baseUrl: `${url}/v1`, model: `${id}-model`, region: "eu", credentialRef: "env:K" } as SnapshotDeployment,
  adapter: openaiAdapter,
});
const options = (extra: Partial<ExecuteOptions>): ExecuteOptions => testExecuteOptions({ health: { canAttempt: () => true, onSuccess: () => {}, onFailure: () => {} }, ...extra });

test("a Redis breaker that stops answering mid-connection does not hold a request past its total deadline", async () => {
  const relay = redisRelay();
  // Its own command timeout (20 s) far beyond the request's 250 ms: only the request's deadline can cut the wait.
  const running = await createBreaker({ region: "eu", redisUrl: relay.url, prefix: redis.prefix, timeoutMs: 20_000 });
  try {
    const down = vendor(() => new Response("{}", { status: 503 }));
    const up = vendor(() => Response.json(completion));
    const chain = [target("d_a", down), target("d_b", up)];
    expect((await executeChat(chat(), chain, options({ health: running.breaker, totalMs: 2_000 }))).ok).toBe(true);

    relay.blackHole();
    const logs: string[] = [];
    const waited = Symbol("still waiting for the breaker");
    const result = await Promise.race([executeChat(chat(), chain, options({ health: running.breaker, totalMs: 250, log: (line) => logs.push(line) })), Bun.sleep(5_000).then(() => waited)]);
    expect(result).toMatchObject({ ok: false, error: { kind: "upstream_timeout" }, trail: { attempts: 0 } });
    expect(logs).toContain("circuit breaker did not answer before the request's deadline");
  } finally {
    await running.close();
  }
});

test("a healthy Redis breaker is never reported as not answering when the vendor hangs until the deadline, and still hears the failure", async () => {
  // Replies 5 ms after each command, as a Redis on another host: a wait bounded by a deadline already passed would give up on every one.
  const relay = redisRelay(5);
  const running = await createBreaker({ region: "eu", redisUrl: relay.url, prefix: `${redis.prefix}healthy:`, failureThreshold: 1, timeoutMs: 1_000 });
  try {
    const hung = vendor(() => new Promise<Response>(() => {}));
    const logs: string[] = [];
    const result = await executeChat(chat(), [target("d_hung", hung)], options({ health: running.breaker, totalMs: 200, log: (line) => logs.push(line) }));
    expect(result).toMatchObject({ ok: false, error: { kind: "upstream_timeout" } });
    expect(result.trail.steps.map((s) => s.reason)).toEqual(["timeout_total", "retry_exceeds_budget"]);
    expect(logs.filter((line) => line.includes("circuit breaker"))).toEqual([]);
    // The failure was sent without being waited for: it reaches the store all the same.
    await waitFor(async () => (await running.breaker.canAttempt("d_hung")) === false, "the failure recorded: the circuit open", UNIT_TEST_WAIT_MS);
  } finally {
    await running.close();
  }
});

test("a breaker that never records a failure cannot keep the request waiting past its deadline", async () => {
  let failures = 0;
  const neverRecords: DeploymentHealth = {
    canAttempt: () => true,
    onSuccess: () => {},
    onFailure: () => {
      failures++;
      return new Promise<void>(() => {});
    },
  };
  const down = vendor(() => new Response("{}", { status: 503 }));
  const waited = Symbol("still waiting");
  const result = await Promise.race([executeChat(chat(), [target("d_a", down)], options({ health: neverRecords, totalMs: 300 })), Bun.sleep(3_000).then(() => waited)]);
  expect(result).not.toBe(waited);
  expect(result).toMatchObject({ ok: false, error: { kind: "upstream_error" } });
  expect(failures).toBe(1);
});

test("a probe granted after the deadline has passed gives its slot back", async () => {
  let released = 0;
  const lateProbe: DeploymentHealth = {
    canAttempt: () => Bun.sleep(400).then(() => "probe" as const),
    onSuccess: () => {},
    onFailure: () => {},
    releaseProbe: () => void released++,
  };
  const up = vendor(() => Response.json(completion));
  const result = await executeChat(chat(), [target("d_a", up)], options({ health: lateProbe, totalMs: 200 }));
  expect(result).toMatchObject({ ok: false, error: { kind: "upstream_timeout" } });
  expect(result.trail.attempts).toBe(0);
  // The probe is granted (400 ms) after the request gave up (200 ms): its slot comes back then, once.
  await waitFor(() => released > 0, "the late probe's slot given back", UNIT_TEST_WAIT_MS);
  // "Once" needs a window: a second release would come after the first, so nothing waited for can show
  // its absence. 200 ms is as long again as the request's whole budget (totalMs).
  await Bun.sleep(200);
  expect(released).toBe(1);
});
