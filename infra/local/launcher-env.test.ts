import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { launcherEnv } from "./launcher-env.ts";

test("defaults: every variable unset, or set empty, takes its default", () => {
  const defaults = { dataDir: resolve(".data"), host: "127.0.0.1", databaseUrl: null, allowPlaintextVendorUrls: false, ports: { controlPlane: 4000, us: 4001, eu: 4002, echo: 4100 } };
  expect(launcherEnv({})).toEqual(defaults);
  expect(launcherEnv({ DATA_DIR: "", HOST: "", DATABASE_URL: "", ALLOW_PLAINTEXT_VENDOR_URLS: "", CONTROL_PLANE_PORT: "", US_PROXY_PORT: "", EU_PROXY_PORT: "", ECHO_VENDOR_PORT: "" })).toEqual(defaults);
});

test("ports are integers 0-65535, 0 meaning any free port", () => {
  expect(launcherEnv({ CONTROL_PLANE_PORT: "0", US_PROXY_PORT: "65535", EU_PROXY_PORT: "4793", ECHO_VENDOR_PORT: "8080" }).ports).toEqual({ controlPlane: 0, us: 65535, eu: 4793, echo: 8080 });
});

test("a mistyped port names its variable, before anything starts", () => {
  expect(() => launcherEnv({ EU_PROXY_PORT: "4793x" })).toThrow('EU_PROXY_PORT must be an integer 0-65535, got "4793x"');
  for (const bad of ["65536", "-1", "4.5", "1e3", "0x10", " 4000", "port", "08", "+80"]) {
    expect(() => launcherEnv({ ECHO_VENDOR_PORT: bad })).toThrow(`ECHO_VENDOR_PORT must be an integer 0-65535, got "${bad}"`);
  }
  expect(() => launcherEnv({ CONTROL_PLANE_PORT: "x" })).toThrow("CONTROL_PLANE_PORT");
  expect(() => launcherEnv({ US_PROXY_PORT: "x" })).toThrow("US_PROXY_PORT");
  // All of them at once, not one per attempt.
  expect(() => launcherEnv({ US_PROXY_PORT: "x", ECHO_VENDOR_PORT: "4100y" })).toThrow('US_PROXY_PORT must be an integer 0-65535, got "x"; ECHO_VENDOR_PORT must be an integer 0-65535, got "4100y"');
});

test("two services on one port are refused naming both variables (0, any free port, may repeat)", () => {
  expect(() => launcherEnv({ CONTROL_PLANE_PORT: "4793", US_PROXY_PORT: "4793" })).toThrow("CONTROL_PLANE_PORT and US_PROXY_PORT are both 4793: each service needs its own port");
  // A default counts: EU_PROXY_PORT's default is 4002.
  expect(() => launcherEnv({ ECHO_VENDOR_PORT: "4002" })).toThrow("EU_PROXY_PORT and ECHO_VENDOR_PORT are both 4002");
  expect(() => launcherEnv({ CONTROL_PLANE_PORT: "5000", US_PROXY_PORT: "5000", EU_PROXY_PORT: "5000" })).toThrow("CONTROL_PLANE_PORT, US_PROXY_PORT and EU_PROXY_PORT are all 5000");
  expect(launcherEnv({ CONTROL_PLANE_PORT: "0", US_PROXY_PORT: "0", EU_PROXY_PORT: "0", ECHO_VENDOR_PORT: "0" }).ports).toEqual({ controlPlane: 0, us: 0, eu: 0, echo: 0 });
});

test("DATABASE_URL is checked as the control plane checks it: one that is not a postgres:// URL is refused naming it", () => {
  // Scheme-less, postgres.js read it as unset and connected to 127.0.0.1:5432, which the launcher then migrated.
  expect(() => launcherEnv({ DATABASE_URL: "db.example.com:5432/gw" })).toThrow("DATABASE_URL: must be a postgres:// or postgresql:// URL");
  expect(() => launcherEnv({ DATABASE_URL: "mysql://root@db/x" })).toThrow("DATABASE_URL: must be a postgres:// or postgresql:// URL, got scheme mysql:");
  expect(() => launcherEnv({ DATABASE_URL: "not a url" })).toThrow("DATABASE_URL: must be a postgres:// or postgresql:// URL (it does not parse as a URL)");
  // With a bad port, both at once.
  expect(() => launcherEnv({ DATABASE_URL: "mysql://root@db/x", US_PROXY_PORT: "x" })).toThrow('US_PROXY_PORT must be an integer 0-65535, got "x"; DATABASE_URL: must be');
  expect(launcherEnv({ DATABASE_URL: "postgres://u:p@db.example.com:5432/gw" }).databaseUrl).toBe("postgres://u:p@db.example.com:5432/gw");
  expect(launcherEnv({ DATABASE_URL: "postgresql://u@db/gw" }).databaseUrl).toBe("postgresql://u@db/gw");
});

test("DATA_DIR naming a file is refused naming DATA_DIR, as the control plane and the proxy refuse theirs", () => {
  const file = join(mkdtempSync(join(tmpdir(), "launcher-env-")), "not-a-dir");
  writeFileSync(file, "x");
  expect(() => launcherEnv({ DATA_DIR: file })).toThrow(`DATA_DIR: ${JSON.stringify(file)} exists and is not a directory`);
  // Below a file: one message naming DATA_DIR too.
  expect(() => launcherEnv({ DATA_DIR: join(file, "sub") })).toThrow(/^DATA_DIR: ENOTDIR/);
  rmSync(dirname(file), { recursive: true });
});

test("ALLOW_PLAINTEXT_VENDOR_URLS is read as the control plane reads it, for the control plane npm start runs", () => {
  // The demo's echo deployment is http://<HOST>:<port>/v1; on a public HOST the control plane refused it
  // and named this variable, which npm start did not read (final read q2's finding 1).
  expect(launcherEnv({ ALLOW_PLAINTEXT_VENDOR_URLS: "true" }).allowPlaintextVendorUrls).toBe(true);
  expect(launcherEnv({ ALLOW_PLAINTEXT_VENDOR_URLS: "false" }).allowPlaintextVendorUrls).toBe(false);
  expect(() => launcherEnv({ ALLOW_PLAINTEXT_VENDOR_URLS: "yes" })).toThrow("ALLOW_PLAINTEXT_VENDOR_URLS");
});
