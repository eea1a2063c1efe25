/**
 * REDIS_URL as a Unix socket path: loadConfig takes it, and the proxy's Redis client (ioredis) reaches a
 * real redis-server through it. It worked before the scheme check refused it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "./config.ts";
import { createCountersRedis } from "./counters/counters-redis.ts";

const jwks = JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "TOhVR9fBlGropP6VRZm1d4Zm_2eZRGmCYrNxc_As5IU", kid: "k1" }] });
const env = { REGION: "eu", CONTROL_PLANE_URL: "http://127.0.0.1:4000", REGION_TOKEN: "regtok_x", TRUSTED_JWKS: jwks, DATA_DIR: "/tmp/p" };
const dir = mkdtempSync(join(tmpdir(), "redis-sock-"));
const socket = join(dir, "redis.sock");
let server: ReturnType<typeof Bun.spawn>;

beforeAll(async () => {
  // --port 0: no TCP listener, only the socket.
  server = Bun.spawn(["redis-server", "--port", "0", "--unixsocket", socket, "--save", "", "--appendonly", "no"], { stdout: "ignore", stderr: "ignore" });
  for (let waited = 0; !existsSync(socket); waited += 20) {
    if (waited > 5_000) throw new Error("redis-server did not open its socket (is redis-server installed?)");
    await Bun.sleep(20);
  }
});
afterAll(() => {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
});

test("a Unix-socket REDIS_URL is accepted by loadConfig and reaches Redis through the proxy's client", async () => {
  const config = loadConfig({ ...env, REDIS_URL: socket });
  const client = createCountersRedis(config.redisUrl!, { commandTimeoutMs: 1_000 });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      setTimeout(() => reject(new Error("no connection through the socket")), 3_000);
    });
    expect(await client.ping()).toBe("PONG");
  } finally {
    client.disconnect();
  }
});
