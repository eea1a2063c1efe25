/**
 * `npm start` (infra/start.ts) with two services on one port: refused before anything starts, as one
 * line naming both variables. It used to start the control plane, mint its admin token, then die with
 * a stack trace when the second server could not bind, leaving DATA_DIR half made.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../test/support/ports.ts";
import { runToExit } from "../../test/support/run-to-exit.ts";

const parent = mkdtempSync(join(tmpdir(), "launcher-refusal-"));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

test("CONTROL_PLANE_PORT equal to US_PROXY_PORT: one line naming both, exit 1, DATA_DIR not created", async () => {
  const dataDir = join(parent, "data");
  // Free ports, three distinct ones, not fixed: should the refusal regress, what starts binds no other run's port.
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(freePort());
  const [shared, eu, echo] = [...ports].map(String);
  const run = await runToExit(new URL("../start.ts", import.meta.url).pathname, {
    DATA_DIR: dataDir,
    CONTROL_PLANE_PORT: shared!,
    US_PROXY_PORT: shared!,
    EU_PROXY_PORT: eu!,
    ECHO_VENDOR_PORT: echo!,
  });
  expect(run.exitCode).toBe(1);
  expect(run.stderr.split("\n")).toHaveLength(1);
  expect(run.stderr).toContain(`CONTROL_PLANE_PORT and US_PROXY_PORT are both ${shared}`);
  expect(run.stdout).not.toContain("control plane");
  expect(existsSync(dataDir)).toBe(false);
}, 30_000);

test("DATABASE_URL without a postgres:// scheme: one line naming it, exit 1, no database reached, DATA_DIR not created", async () => {
  const dataDir = join(parent, "data-database-url");
  // postgres.js read this as unset and connected to 127.0.0.1:5432, whatever was there, which the launcher then migrated.
  const run = await runToExit(new URL("../start.ts", import.meta.url).pathname, { DATA_DIR: dataDir, DATABASE_URL: "db.example.com:5432/gw", CONTROL_PLANE_PORT: "0", US_PROXY_PORT: "0", EU_PROXY_PORT: "0", ECHO_VENDOR_PORT: "0" });
  expect(run.exitCode).toBe(1);
  expect(run.stderr.split("\n")).toHaveLength(1);
  expect(run.stderr).toStartWith("npm start: DATABASE_URL: must be a postgres:// or postgresql:// URL");
  expect(run.stdout).toBe("");
  expect(existsSync(dataDir)).toBe(false);
}, 30_000);

test("DATA_DIR naming a file: one line naming DATA_DIR, exit 1, no stack trace", async () => {
  const file = join(parent, "not-a-dir");
  writeFileSync(file, "x");
  // It used to fail at mkdir with EEXIST and a 16-line stack trace.
  const run = await runToExit(new URL("../start.ts", import.meta.url).pathname, { DATA_DIR: file, CONTROL_PLANE_PORT: "0", US_PROXY_PORT: "0", EU_PROXY_PORT: "0", ECHO_VENDOR_PORT: "0" });
  expect(run.exitCode).toBe(1);
  expect(run.stderr).toBe(`npm start: DATA_DIR: ${JSON.stringify(file)} exists and is not a directory`);
  expect(run.stdout).toBe("");
}, 30_000);

test("DATA_DIR that cannot be created: one line naming DATA_DIR and why, exit 1, no stack trace", async () => {
  // Under /proc nothing can be made, even by root (EACCES, the usual case, is not testable as root).
  const run = await runToExit(new URL("../start.ts", import.meta.url).pathname, { DATA_DIR: "/proc/gw-launcher-data", CONTROL_PLANE_PORT: "0", US_PROXY_PORT: "0", EU_PROXY_PORT: "0", ECHO_VENDOR_PORT: "0" });
  expect(run.exitCode).toBe(1);
  expect(run.stderr.split("\n")).toHaveLength(1);
  expect(run.stderr).toStartWith("npm start: DATA_DIR: cannot create /proc/gw-launcher-data: ");
  expect(run.stdout).toBe("");
}, 30_000);
