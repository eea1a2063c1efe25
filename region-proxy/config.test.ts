import { expect, test } from "bun:test";
import { ConfigError, loadConfig } from "./config.ts";

const jwks = JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "abc", kid: "k1" }] });
const env = { REGION: "eu", CONTROL_PLANE_URL: "http://127.0.0.1:4000", REGION_TOKEN: "regtok_x", TRUSTED_JWKS: jwks, DATA_DIR: "/tmp/p" };

test("a complete environment becomes a config with defaults left to startProxy", () => {
  const config = loadConfig({ ...env, PORT: "8080", SNAPSHOT_POLL_MS: "500", REDIS_URL: "redis://127.0.0.1:6379", REPLICA_SHARE: "0.5" });
  expect(config).toMatchObject({ region: "eu", port: 8080, snapshotPollMs: 500, dataDir: "/tmp/p", redisUrl: "redis://127.0.0.1:6379", replicaShare: 0.5 });
  expect(config.trustedJwks.keys[0]!.kid).toBe("k1");
  expect(config.usageFlushMs).toBeUndefined();
});

test("every problem is named at once", () => {
  let error: unknown;
  try {
    loadConfig({ REGION: "eu", CONTROL_PLANE_URL: "ftp://x", TRUSTED_JWKS: "{", PORT: "-1", MAX_BODY_BYTES: "lots", REPLICA_SHARE: "2" });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  for (const part of ["REGION_TOKEN is required", "DATA_DIR is required", "CONTROL_PLANE_URL must be", "trusted JWKS is invalid", "PORT must be", "MAX_BODY_BYTES must be", "REPLICA_SHARE must be"]) {
    expect(message).toContain(part);
  }
});
