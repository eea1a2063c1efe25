/**
 * createTestRedis's cleanup deletes the keys under its prefix and always disconnects its client, even
 * when scanning for the keys throws. Each test looks only at its own client (by its Redis client id)
 * and its own prefix, so other test files using Redis meanwhile do not count.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import Redis from "ioredis";
import { createTestRedis, TEST_REDIS_URL } from "./redis.ts";

let probe: Redis;
beforeAll(() => {
  probe = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(() => {
  probe?.disconnect();
});

/** Whether the Redis client with this id is still connected, waiting up to 2 s for a closing one to go. */
async function connected(id: number): Promise<boolean> {
  const listed = async () => String(await probe.call("CLIENT", "LIST")).split("\n").some((line) => line.startsWith(`id=${id} `));
  const deadline = Date.now() + 2000;
  let still = await listed();
  while (still && Date.now() < deadline) {
    await Bun.sleep(50);
    still = await listed();
  }
  return still;
}

test("cleanup deletes the keys under its prefix, leaves others, and disconnects its client", async () => {
  const redis = await createTestRedis();
  const id = Number(await redis.client.client("ID"));
  const outside = `gwt-outside-${redis.prefix.slice(4, -1)}`;
  try {
    await redis.client.set(`${redis.prefix}a`, "1");
    await redis.client.set(`${redis.prefix}b:c`, "2");
    await probe.set(outside, "3");
    await redis.cleanup();
    expect(await probe.keys(`${redis.prefix}*`)).toEqual([]);
    expect(await probe.get(outside)).toBe("3");
    expect(await connected(id)).toBe(false);
  } finally {
    redis.client.disconnect();
    await probe.del(outside);
    const left = await probe.keys(`${redis.prefix}*`);
    if (left.length > 0) await probe.del(...left);
  }
});

test("cleanup whose key scan throws still disconnects its client, and throws the scan's error", async () => {
  const redis = await createTestRedis();
  const id = Number(await redis.client.client("ID"));
  try {
    await redis.client.set(`${redis.prefix}a`, "1");
    Object.assign(redis.client, {
      async scan() {
        throw new Error("scan failed");
      },
    });
    await expect(redis.cleanup()).rejects.toThrow("scan failed");
    expect(await connected(id)).toBe(false);
  } finally {
    redis.client.disconnect();
    const left = await probe.keys(`${redis.prefix}*`);
    if (left.length > 0) await probe.del(...left);
  }
});
