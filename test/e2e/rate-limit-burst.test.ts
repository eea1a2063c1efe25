/**
 * Done-when 3: a key with RPM 60 (set through GraphQL on the real control plane), hit by a burst of 200
 * requests over two replicas of one region sharing one Redis prefix: 60 succeed (GCRA refills one
 * request per second, so a burst that takes longer than a second may see one more per second), every
 * 429 says rate_limit_exceeded with Retry-After and x-ratelimit-* headers, and successes carry them too.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestRedis, type TestRedis } from "../support/redis.ts";
import { startLeasedReplicas, stopLeasedReplicas, type LeasedReplica } from "../support/leased-replicas.ts";
import { startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
let redis: TestRedis;
let keySecret: string;
let keyId: string;
const replicas: LeasedReplica[] = [];

/** The burst comes from its own process, as real clients do (the test process's fetch pool is the proxies'). */
const LOAD_SCRIPT = `
const { default: OpenAI } = await import("openai");
const { urls, key, alias, n } = JSON.parse(process.env.LOAD);
const clients = urls.map((url) => new OpenAI({ baseURL: url + "/v1", apiKey: key, maxRetries: 0 }));
const pick = (h) => Object.fromEntries(["retry-after", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests"].map((k) => [k, h?.get(k) ?? null]));
const started = Date.now();
const results = await Promise.all(Array.from({ length: n }, async (_, i) => {
  try {
    const { response } = await clients[i % clients.length].chat.completions.create({ model: alias, max_tokens: 4, messages: [{ role: "user", content: "hello there" }] }).withResponse();
    return { ok: true, headers: pick(response.headers) };
  } catch (error) {
    return { ok: false, status: error.status ?? null, code: error.code ?? String(error), type: error.type ?? null, message: error.message, headers: pick(error.headers) };
  }
}));
console.log(JSON.stringify({ elapsedMs: Date.now() - started, results }));
`;

interface Result {
  ok: boolean;
  status?: number;
  code?: string;
  type?: string;
  message?: string;
  headers: Record<string, string | null>;
}

async function burst(n: number): Promise<{ elapsedMs: number; results: Result[] }> {
  const child = Bun.spawn([process.execPath, "-e", LOAD_SCRIPT], {
    cwd: join(import.meta.dir, "../.."),
    env: { ...process.env, LOAD: JSON.stringify({ urls: replicas.map((r) => r.proxy.url), key: keySecret, alias: stack.demo.alias, n }), BUN_CONFIG_MAX_HTTP_REQUESTS: "1024" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new Error(`load client exited ${code}: ${err.slice(0, 500)}`);
  return JSON.parse(out);
}

beforeAll(async () => {
  stack = await startStack({ regions: ["eu"] });
  redis = await createTestRedis();
  const { createKey } = await stack.admin.request<{ createKey: { key: { id: string }; secret: string } }>(
    `mutation($t: ID!) { createKey(input: { tenantId: $t, name: "rpm 60", rpm: 60 }) { key { id } secret } }`,
    { t: stack.demo.tenantId },
  );
  keySecret = createKey.secret;
  keyId = createKey.key.id;
  replicas.push(...(await startLeasedReplicas(stack, { redisUrl: redis.url, prefix: `${redis.prefix}eu:` })));
}, 30_000);

afterAll(async () => {
  await stopLeasedReplicas(replicas);
  await redis?.cleanup();
  await stack?.stop();
});

test("rpm 60 on a key, a burst of 200 over two replicas: 60 pass, every 429 carries Retry-After and remaining", async () => {
  const callsBefore = stack.echo.calls();
  const { elapsedMs, results } = await burst(200);
  const admitted = results.filter((r) => r.ok);
  expect(admitted.length).toBeGreaterThanOrEqual(60);
  expect(admitted.length).toBeLessThanOrEqual(60 + Math.floor(elapsedMs / 1000));
  expect(stack.echo.calls() - callsBefore).toBe(admitted.length);
  expect(replicas.map((r) => r.limits.degraded())).toEqual([false, false]);

  for (const ok of admitted) {
    expect(ok.headers["x-ratelimit-limit-requests"]).toBe("60");
    expect(Number(ok.headers["x-ratelimit-remaining-requests"])).toBeLessThan(60);
  }
  // Successes counted down the shared bucket: each remaining value was handed out once across both replicas.
  const remaining = admitted.map((r) => Number(r.headers["x-ratelimit-remaining-requests"]));
  expect(new Set(remaining.slice(0, 60)).size).toBeGreaterThan(1);
  for (const refused of results.filter((r) => !r.ok)) {
    expect(refused.status).toBe(429);
    expect(refused.code).toBe("rate_limit_exceeded");
    expect(refused.type).toBe("requests");
    expect(refused.message).toContain(`key:${keyId}`);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(60);
    expect(refused.headers["x-ratelimit-remaining-requests"]).toBe("0");
    expect(refused.headers["x-ratelimit-limit-requests"]).toBe("60");
    expect(refused.headers["x-ratelimit-reset-requests"]).toMatch(/^\d+(\.\d+)?(ms|s|m)/);
  }

  // Retry-After is honest: after waiting it, the next request passes.
  const retryAfter = Math.max(...results.filter((r) => !r.ok).map((r) => Number(r.headers["retry-after"])));
  expect(retryAfter).toBeLessThanOrEqual(2);
  await Bun.sleep(retryAfter * 1000);
  const again = await burst(1);
  expect(again.results[0]!.ok).toBe(true);
}, 60_000);
