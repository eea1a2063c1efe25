/**
 * With LOG_FORMAT=json a proxy that refuses to start says so in JSON lines too: a configuration
 * refusal (several problems, one message) and a start failure past it (a port held) were plain text on
 * stderr, the lines an operator needs while the pod crash-loops, which a JSON log pipeline drops or
 * mangles (review obs's finding 1).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { notJsonLogLines } from "../test/support/json-log-lines.ts";
import { closedUrl } from "../test/support/ports.ts";
import { runToExit } from "../test/support/run-to-exit.ts";
import { createProxyFixture, type ProxyFixture } from "./testing/proxy-fixture.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
let fx: ProxyFixture;
beforeAll(async () => {
  fx = await createProxyFixture();
});
afterAll(async () => {
  await fx.cleanup();
});

function env(extra: Record<string, string>): Record<string, string> {
  const config = fx.proxyConfig();
  return {
    REGION: "eu",
    CONTROL_PLANE_URL: config.controlPlaneUrl,
    REGION_TOKEN: config.regionToken,
    TRUSTED_JWKS: JSON.stringify(config.trustedJwks),
    DATA_DIR: mkdtempSync(join(config.dataDir, "json-")),
    PORT: "0",
    LOG_FORMAT: "json",
    ...extra,
  };
}

test("a configuration refusal is one JSON line naming every problem", async () => {
  const run = await runToExit(MAIN, env({ REGION_TOKEN: "", REPLICA_SHARE: "7" }));
  expect(run.exitCode).toBe(2);
  expect([...notJsonLogLines("stdout", run.stdout, { service: "proxy", region: "eu" }), ...notJsonLogLines("stderr", run.stderr, { service: "proxy", region: "eu" })]).toEqual([]);
  const message = JSON.parse(run.stderr.trim()).message as string;
  expect([message.includes("REGION_TOKEN"), message.includes("REPLICA_SHARE")]).toEqual([true, true]);
}, 20_000);

test("a start failure past the configuration (a port held) is a JSON line", async () => {
  const holder = Bun.serve({ port: 0, hostname: "127.0.0.1", reusePort: false, fetch: () => new Response("x") });
  try {
    const run = await runToExit(MAIN, env({ PORT: String(holder.port), CONTROL_PLANE_URL: closedUrl() }));
    expect(run.exitCode).toBe(1);
    expect([...notJsonLogLines("stdout", run.stdout, { service: "proxy", region: "eu" }), ...notJsonLogLines("stderr", run.stderr, { service: "proxy", region: "eu" })]).toEqual([]);
    expect(run.stderr).toContain("cannot start");
  } finally {
    holder.stop(true);
  }
}, 20_000);

test("text stays text (the default)", async () => {
  const run = await runToExit(MAIN, env({ LOG_FORMAT: "", REGION_TOKEN: "" }));
  expect(run.exitCode).toBe(2);
  expect(run.stderr).toStartWith("region proxy configuration is invalid:");
}, 20_000);

test("an unusable LOG_FORMAT is refused in text, naming it; with REGION unset the JSON line has no region", async () => {
  const xml = await runToExit(MAIN, env({ LOG_FORMAT: "xml" }));
  expect(xml.exitCode).toBe(2);
  expect(xml.stderr).toStartWith("region proxy configuration is invalid:");
  expect(xml.stderr).toContain('LOG_FORMAT must be text or json (got "xml")');
  const noRegion = await runToExit(MAIN, env({ REGION: "" }));
  expect(noRegion.exitCode).toBe(2);
  const record = JSON.parse(noRegion.stderr.trim()) as Record<string, unknown>;
  expect(["region" in record, record.service, String(record.message).includes("REGION is required")]).toEqual([false, "proxy", true]);
}, 20_000);
