/**
 * A Redis key prefix per test file on the machine's Redis, cleaned afterwards.
 * Fails with a how-to (never skips) when Redis is not reachable.
 */
import Redis from "ioredis";
import { randomBytes } from "node:crypto";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestRedis {
  url: string;
  prefix: string;
  client: Redis;
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
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
        cursor = next;
        if (keys.length > 0) await client.del(...keys);
      } while (cursor !== "0");
      client.disconnect();
    },
  };
}
