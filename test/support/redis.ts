/**
 * A Redis key prefix per test file on the machine's Redis, cleaned afterwards.
 * Fails with a how-to (never skips) when Redis is not reachable.
 */
import { afterAll, beforeAll } from "bun:test";
import Redis from "ioredis";
import { randomBytes } from "node:crypto";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestRedis {
  url: string;
  prefix: string;
  client: Redis;
  /** Deletes the keys under the prefix and disconnects the client, which it does though the deleting throws. */
  cleanup(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const prefix = `gwt:${randomBytes(5).toString("hex")}:`;
  const client = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    throw new Error(`Tests need Redis at ${TEST_REDIS_URL} (set TEST_REDIS_URL): ${(error as Error).message}`);
  }
  return {
    url: TEST_REDIS_URL,
    prefix,
    client,
    async cleanup() {
      try {
        let cursor = "0";
        do {
          const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
          cursor = next;
          if (keys.length > 0) await client.del(...keys);
        } while (cursor !== "0");
      } finally {
        client.disconnect();
      }
    },
  };
}

/**
 * Two connections to the test Redis, standing for two replicas of a region, for a test file's
 * shared suites: registers its own beforeAll/afterAll; `pair(make)` builds one instance per
 * connection under a fresh sub-prefix, so every test starts from empty state.
 *
 * @example const replicas = useRedisReplicaPair();
 *          describeBreaker("Redis", { pair: async (o) => replicas.pair((redis, prefix) => createRedisBreaker(redis, { ...o, prefix })) });
 */
export function useRedisReplicaPair(): { pair<T>(make: (redis: Redis, prefix: string) => T): [T, T] } {
  let testRedis: TestRedis;
  let second: Redis;
  let run = 0;
  beforeAll(async () => {
    testRedis = await createTestRedis();
    second = new Redis(testRedis.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    second.disconnect();
    await testRedis.cleanup();
  });
  return {
    pair(make) {
      const prefix = `${testRedis.prefix}${++run}:`;
      return [make(testRedis.client, prefix), make(second, prefix)];
    },
  };
}
