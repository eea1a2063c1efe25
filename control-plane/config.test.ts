import { expect, test } from "bun:test";
import { configFromEnv } from "./config.ts";

test("defaults, and LOG_FORMAT: text unless json is asked for; anything else fails the start", () => {
  expect(configFromEnv({})).toMatchObject({ port: 4000, host: "127.0.0.1", dataDir: ".data/control-plane", logFormat: "text" });
  expect(configFromEnv({ LOG_FORMAT: "json" }).logFormat).toBe("json");
  expect(() => configFromEnv({ LOG_FORMAT: "xml" })).toThrow('LOG_FORMAT must be text or json (got "xml")');
  expect(() => configFromEnv({ PORT: "70000" })).toThrow("PORT must be an integer 0-65535");
});

test("the shared secrets are read from the environment, unset meaning 'use or create the file in DATA_DIR'", () => {
  const secrets = { ADMIN_JWT_SECRET: "j".repeat(40), AUDIT_HMAC_KEY: "a".repeat(40), SIGNING_KEY_JWK: '{"kty":"OKP"}' };
  expect(configFromEnv(secrets)).toMatchObject({ tokenSecret: secrets.ADMIN_JWT_SECRET, auditHmacKey: secrets.AUDIT_HMAC_KEY, signingKeyJwk: secrets.SIGNING_KEY_JWK });
  expect(configFromEnv({})).toMatchObject({ tokenSecret: null, auditHmacKey: null, signingKeyJwk: null });
});
