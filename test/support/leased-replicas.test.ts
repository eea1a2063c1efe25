/**
 * The leased-replica helpers leave nothing running: a replica that fails to start stops the ones
 * started before it and its own leased limits, and a stack whose start fails is stopped though a step
 * of its stop throws. Each test counts only what it made: the proxies startProxy returned while it ran,
 * Redis clients under a connection name of its own, the stack's own database and directory.
 */
import { afterAll, beforeAll, expect, spyOn, test } from "bun:test";
import Redis from "ioredis";
import postgres from "postgres";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as regionProxy from "../../region-proxy/main.ts";
import * as testRedis from "./redis.ts";
import { startLeasedReplicas, startLeasedReplicaStack, stopLeasedReplicas } from "./leased-replicas.ts";
import { startStack, type TestStack } from "./stack.ts";
import { acceptsConnections } from "./leak-probes.ts";

let stack: TestStack;
let sql: postgres.Sql;
let probe: Redis;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"] });
  sql = postgres(stack.db.url, { max: 1, onnotice: () => {} });
  probe = new Redis(testRedis.TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
}, 30_000);
afterAll(async () => {
  probe?.disconnect();
  await sql?.end();
  await stack?.stop();
});

const unique = (what: string) => `gwt-${what}-${randomBytes(5).toString("hex")}`;

/** The test Redis's URL with a connection name, so CLIENT LIST tells this test's clients apart. */
function namedRedisUrl(url: string, name: string): string {
  const named = new URL(url);
  named.searchParams.set("connectionName", name);
  return named.toString();
}

/** Redis clients still connected under `name`, waiting up to 2 s for closing ones to go. */
async function redisClientsLeft(name: string): Promise<number> {
  const count = async () => String(await probe.call("CLIENT", "LIST")).split("\n").filter((line) => line.includes(` name=${name} `)).length;
  const deadline = Date.now() + 2000;
  let left = await count();
  while (left > 0 && Date.now() < deadline) {
    await Bun.sleep(50);
    left = await count();
  }
  return left;
}

/** Records the proxies startProxy starts while `run` runs; `wrap` may change what the caller gets. */
async function recordingProxies<T>(
  run: () => Promise<T>,
  wrap: (proxy: regionProxy.RunningProxy) => regionProxy.RunningProxy = (proxy) => proxy,
): Promise<{ proxies: regionProxy.RunningProxy[]; result: PromiseSettledResult<T> }> {
  const proxies: regionProxy.RunningProxy[] = [];
  const startProxy = regionProxy.startProxy;
  const spy = spyOn(regionProxy, "startProxy").mockImplementation(async (...args) => {
    const proxy = await startProxy(...args);
    proxies.push(proxy);
    return wrap(proxy);
  });
  try {
    const [result] = await Promise.allSettled([run()]);
    return { proxies, result: result! };
  } finally {
    spy.mockRestore();
  }
}

/**
 * Stops what a test found still running and deletes the keys under the prefix `<name>:` it gave the
 * replicas, so a failing run leaves nothing behind either.
 */
async function stopLeftovers(proxies: regionProxy.RunningProxy[], name: string): Promise<void> {
  await Promise.allSettled(proxies.map((proxy) => proxy.stop()));
  const lines = String(await probe.call("CLIENT", "LIST")).split("\n").filter((line) => line.includes(` name=${name} `));
  for (const line of lines) await probe.call("CLIENT", "KILL", "ID", /\bid=(\d+)/.exec(line)![1]!);
  const keys = await probe.keys(`${name}:*`);
  if (keys.length > 0) await probe.del(...keys);
}

test("replicas started and stopped: each runs its proxy and one named Redis client, and stopLeasedReplicas ends both", async () => {
  const name = unique("replicas");
  const replicas = await startLeasedReplicas(stack, { redisUrl: namedRedisUrl(testRedis.TEST_REDIS_URL, name), prefix: `${name}:`, names: ["a"] });
  try {
    expect(await acceptsConnections(replicas[0]!.proxy.url)).toBe(true);
    expect(await redisClientsLeft(name)).toBe(1);
  } finally {
    await stopLeasedReplicas(replicas);
  }
  try {
    expect(await acceptsConnections(replicas[0]!.proxy.url)).toBe(false);
    expect(await redisClientsLeft(name)).toBe(0);
  } finally {
    await stopLeftovers([], name);
  }
}, 30_000);

test("a replica whose proxy fails to start stops the replica started before it and closes both leased limits", async () => {
  const name = unique("b-fails");
  // replica-b's data dir is a file: its proxy cannot open its store there.
  await writeFile(join(stack.dataDir, "replica-b"), "not a directory");
  const { proxies, result } = await recordingProxies(() =>
    startLeasedReplicas(stack, { redisUrl: namedRedisUrl(testRedis.TEST_REDIS_URL, name), prefix: `${name}:` }),
  );
  try {
    expect(result.status).toBe("rejected");
    expect((result as PromiseRejectedResult).reason).toMatchObject({ code: "EEXIST" });
    expect(proxies).toHaveLength(1);
    expect(await acceptsConnections(proxies[0]!.url)).toBe(false);
    expect(await redisClientsLeft(name)).toBe(0);
  } finally {
    await stopLeftovers(proxies, name);
  }
}, 30_000);

test("a replica that never loads the configuration stops, with its leased limits, when the wait times out", async () => {
  const name = unique("never-loads");
  const { proxies, result } = await recordingProxies(
    () => startLeasedReplicas(stack, { redisUrl: namedRedisUrl(testRedis.TEST_REDIS_URL, name), prefix: `${name}:`, names: ["a"] }),
    (proxy) => ({ ...proxy, snapshotVersion: () => 0 }),
  );
  try {
    expect(result.status).toBe("rejected");
    expect(String((result as PromiseRejectedResult).reason)).toContain("waiting for replica a to load configuration version");
    expect(proxies).toHaveLength(1);
    expect(await acceptsConnections(proxies[0]!.url)).toBe(false);
    expect(await redisClientsLeft(name)).toBe(0);
  } finally {
    await stopLeftovers(proxies, name);
  }
}, 30_000);

test("a leased replica stack whose replica fails to start stops everything, though cleaning its Redis prefix throws", async () => {
  const name = unique("stack");
  const made: testRedis.TestRedis[] = [];
  const createTestRedis = testRedis.createTestRedis;
  const redisSpy = spyOn(testRedis, "createTestRedis").mockImplementation(async () => {
    const redis = await createTestRedis();
    made.push(redis);
    return {
      ...redis,
      url: namedRedisUrl(redis.url, name),
      async cleanup() {
        await redis.cleanup();
        throw new Error("cleanup failed");
      },
    };
  });
  let started: Pick<TestStack, "dataDir" | "echo" | "controlPlane"> & { database: string } | undefined;
  try {
    const { proxies, result } = await recordingProxies(() =>
      startLeasedReplicaStack({
        async prepare(stack) {
          started = { dataDir: stack.dataDir, echo: stack.echo, controlPlane: stack.controlPlane, database: stack.db.name };
          await writeFile(join(stack.dataDir, "replica-b"), "not a directory");
        },
      }),
    );
    try {
      expect(result.status).toBe("rejected");
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: "EEXIST" });
      expect(made).toHaveLength(1);
      expect(await probe.keys(`${made[0]!.prefix}*`)).toEqual([]);
      expect(proxies).toHaveLength(2); // the stack's own eu proxy, then replica a
      for (const proxy of proxies) expect(await acceptsConnections(proxy.url)).toBe(false);
      expect(await redisClientsLeft(name)).toBe(0);
      expect(await acceptsConnections(started!.controlPlane.url)).toBe(false);
      expect(await acceptsConnections(started!.echo.url)).toBe(false);
      expect((await sql`select 1 from pg_database where datname = ${started!.database}`).length).toBe(0);
      expect(existsSync(started!.dataDir)).toBe(false);
    } finally {
      await stopLeftovers(proxies, name);
    }
  } finally {
    redisSpy.mockRestore();
    if (started) {
      await started.controlPlane.stop().catch(() => {});
      await started.echo.stop().catch(() => {});
      await sql.unsafe(`drop database if exists ${started.database} with (force)`);
      await rm(started.dataDir, { recursive: true, force: true });
    }
    for (const redis of made) await redis.cleanup().catch(() => {});
  }
}, 30_000);
