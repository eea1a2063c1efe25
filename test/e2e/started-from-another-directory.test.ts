/**
 * The control plane and `npm start` run by absolute path from a working directory other than the
 * repository (systemd's default is /, a Kubernetes workingDir, a script that cd's first). Bun takes
 * experimentalDecorators and emitDecoratorMetadata from the working directory's tsconfig.json only, so
 * both used to die at import with a bare `TypeError:` from reflect-metadata (audit/audit.type.ts:5),
 * before reading a single variable. A relative DATA_DIR is relative to the working directory.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { launch, stopLauncher } from "../support/npm-start.ts";
import { runUntilSignal } from "../support/run-directly.ts";
import { runToExit } from "../support/run-to-exit.ts";
import { tempDirs } from "../support/temp-dirs.ts";

const CONTROL_PLANE_MAIN = new URL("../../control-plane/main.ts", import.meta.url).pathname;
const dirs = tempDirs();
afterAll(dirs.removeAll);

test("the control plane run by absolute path from another directory starts, serves, and stops on SIGTERM", async () => {
  const cwd = dirs.make("gw-cp-cwd-");
  const run = await runUntilSignal({
    file: CONTROL_PLANE_MAIN,
    cwd,
    // Relative: the control plane's files land under the working directory.
    env: { PORT: "0", DATA_DIR: "state" },
    listening: /control plane listening on (\S+)/,
    signal: "SIGTERM",
    waitMs: 30_000,
    async whileUp(url) {
      // Listening comes after the GraphQL schema was built from the decorated classes.
      expect((await fetch(`${url}/health`)).status).toBe(200);
    },
  });
  expect(run.stdout).toContain("control plane stopped");
  expect(run.exitCode).toBe(0);
  expect(existsSync(join(cwd, "state", "signing-key.jwk"))).toBe(true);
}, 60_000);

test("the control plane run by absolute path from another directory refuses a bad PORT in its one line", async () => {
  const cwd = dirs.make("gw-cp-cwd-");
  const run = await runToExit(CONTROL_PLANE_MAIN, { PORT: "abc", DATA_DIR: join(cwd, "cp") }, 15_000, cwd);
  expect(run.stderr).toBe('control plane: PORT: must be an integer 0-65535, got "abc"');
  expect(run.exitCode).toBe(1);
}, 30_000);

test("npm start's launcher run by absolute path from another directory starts the stack and stops on SIGTERM", async () => {
  const cwd = dirs.make("gw-npm-start-cwd-");
  const { child, output } = await launch({ DATA_DIR: "data", CONTROL_PLANE_PORT: 0, US_PROXY_PORT: 0, EU_PROXY_PORT: 0, ECHO_VENDOR_PORT: 0 }, 3, cwd);
  try {
    expect(output).toContain("Ctrl-C stops everything");
    expect(existsSync(join(cwd, "data", "local-stack.json"))).toBe(true);
  } finally {
    await stopLauncher(child);
  }
}, 120_000);
