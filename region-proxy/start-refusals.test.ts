/**
 * `bun region-proxy/main.ts` with a value loadConfig used not to check: refused as its other
 * configuration errors are (exit 2, the variable named, no stack trace or DOMException dump), before
 * the proxy opens its data dir or asks the control plane for anything.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSigningKey } from "../shared/snapshot/sign.ts";
import { closedUrl, freePort } from "../test/support/ports.ts";
import { runToExit } from "../test/support/run-to-exit.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "proxy-refusal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { key, privateJwk } = await generateSigningKey("k1");
writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [key.publicJwk] }));
writeFileSync(join(dir, "private-jwks.json"), JSON.stringify({ keys: [privateJwk] }));
writeFileSync(join(dir, "a-file"), "");

function start(extra: Record<string, string>) {
  const dataDir = mkdtempSync(join(dir, "data-"));
  // Nothing listens on CONTROL_PLANE_URL's port: a proxy that got as far as polling would still start.
  // PORT free too (not a fixed one another run may hold), so such a proxy would get as far as listening.
  const env = { REGION: "eu", CONTROL_PLANE_URL: closedUrl(), REGION_TOKEN: "rt_refusal", TRUSTED_JWKS_FILE: join(dir, "jwks.json"), DATA_DIR: dataDir, PORT: String(freePort()), ...extra };
  return runToExit(MAIN, env).then((run) => ({ ...run, dataDirUsed: readdirSync(dataDir).length > 0 }));
}

const cases: [string, Record<string, string>][] = [
  ["TRUSTED_JWKS_FILE", { TRUSTED_JWKS_FILE: join(dir, "private-jwks.json") }],
  ["TRUSTED_JWKS", { TRUSTED_JWKS: JSON.stringify({ keys: [privateJwk] }) }],
  ["TRUSTED_JWKS", { TRUSTED_JWKS: JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "short", kid: "k" }] }) }],
  ["HOST", { HOST: "gateway.invalid" }],
  ["DATA_DIR", { DATA_DIR: join(dir, "a-file") }],
  ["REDIS_URL", { REDIS_URL: "rediss//oops" }],
  ["CREDENTIALS_DIR", { CREDENTIALS_DIR: join(dir, "no-such-dir") }],
];
for (const [variable, extra] of cases) {
  test(`a bad ${variable} (${JSON.stringify(extra).slice(0, 60)}…): exit 2, named, no stack`, async () => {
    const run = await start(extra);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(variable);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toContain("DOMException");
    expect(run.stdout).not.toContain("listening");
    expect(run.dataDirUsed).toBe(false);
  }, 20_000);
}

test("a start that fails past the configuration (PORT held by another server) is one line and exit 1, not a stack trace", async () => {
  // Port 0: a fixed one may be held by another test's OS-picked port when the suite runs in parallel.
  const holder = Bun.serve({ port: 0, hostname: "127.0.0.1", reusePort: false, fetch: () => new Response("someone else") });
  try {
    const run = await start({ PORT: String(holder.port) });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.split("\n")).toHaveLength(1);
    expect(run.stderr).toContain(`cannot listen on 127.0.0.1:${holder.port}`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  } finally {
    holder.stop(true);
  }
}, 20_000);
