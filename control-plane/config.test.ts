import { expect, test } from "bun:test";
import { configFromEnv } from "./config.ts";

test("defaults, and LOG_FORMAT: text unless json is asked for; anything else fails the start", () => {
  expect(configFromEnv({})).toMatchObject({ port: 4000, host: "127.0.0.1", dataDir: ".data/control-plane", logFormat: "text" });
  expect(configFromEnv({ LOG_FORMAT: "json" }).logFormat).toBe("json");
  expect(() => configFromEnv({ LOG_FORMAT: "xml" })).toThrow('LOG_FORMAT must be text or json (got "xml")');
  expect(() => configFromEnv({ PORT: "70000" })).toThrow("PORT must be an integer 0-65535");
});
