/**
 * The control plane run as the image runs it (`bun control-plane/main.ts`, NODE_ENV=production):
 * SIGTERM and SIGINT run its own graceful stop to the end (HTTP closed, ticker and webhook worker
 * stopped, database closed) and it exits 0. Apollo Server's own signal handlers (on outside
 * NODE_ENV=test, which `bun test` sets) would stop Apollo alone and re-raise the signal, killing the
 * process mid-stop with 143.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "../test/support/postgres.ts";
import { runUntilSignal } from "../test/support/run-directly.ts";

const made: { db?: TestDatabase; dir?: string } = {};
afterAll(async () => {
  await made.db?.drop();
  if (made.dir) await rm(made.dir, { recursive: true, force: true });
});

async function runUntilStopped(signal: "SIGTERM" | "SIGINT"): Promise<{ stdout: string; exitCode: number }> {
  made.db ??= await createTestDatabase();
  made.dir ??= await mkdtemp(join(tmpdir(), "cp-direct-"));
  return runUntilSignal({
    file: new URL("./main.ts", import.meta.url).pathname,
    env: { NODE_ENV: "production", PORT: "0", DATABASE_URL: made.db.url, DATA_DIR: made.dir, ADMIN_TOKEN: "admtok_run_directly_0123456789abcdef" },
    listening: /control plane listening on (http:\/\/\S+)/,
    signal,
    whileUp: async (url) => expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200),
    waitMs: 15_000,
  });
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`run directly: ${signal} runs the whole graceful stop and exits 0`, async () => {
    const { stdout, exitCode } = await runUntilStopped(signal);
    expect(stdout).toMatch(/control plane stopped/);
    expect(exitCode).toBe(0);
  }, 30_000);
}
