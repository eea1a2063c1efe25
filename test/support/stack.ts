/**
 * The whole system for cross-process tests: the real control plane on a fresh PostgreSQL database,
 * the echo vendor, and one proxy per region, all on port 0, seeded through GraphQL.
 * Each part can be stopped and started again, so tests can take the control plane down or restart a
 * proxy on its existing data directory.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { startControlPlane, type RunningControlPlane } from "../../control-plane/main.ts";
import { startProxy, type ProxyConfig, type RunningProxy } from "../../region-proxy/main.ts";
import { startEchoVendor } from "../../infra/echo-vendor/server.ts";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { seedDemo, type SeededDemo } from "../../infra/local/seed-demo.ts";
import { createTestDatabase, type TestDatabase } from "./postgres.ts";
import { runAll } from "./run-all.ts";

export interface TestStack {
  db: TestDatabase;
  dataDir: string;
  adminToken: string;
  controlPlane: RunningControlPlane;
  admin: AdminClient;
  echo: Awaited<ReturnType<typeof startEchoVendor>>;
  echoApiKey: string;
  demo: SeededDemo;
  proxies: Record<string, RunningProxy>;
  /** Starts (or restarts) the control plane on the same database, data directory and port. */
  startControlPlane(): Promise<RunningControlPlane>;
  /**
   * Starts a proxy for a region on its own data directory (the same one on every call, unless overridden).
   * A proxy already running for that region is stopped first, so a replaced proxy never outlives its test.
   */
  startProxy(region: string, overrides?: Partial<ProxyConfig>): Promise<RunningProxy>;
  /**
   * Stops the proxies, the control plane and the echo vendor, drops the database and removes the data
   * directory: every step runs though one before it fails, and the first failure is thrown.
   */
  stop(): Promise<void>;
}

/**
 * A start that fails stops what it had started (proxies, control plane, echo vendor), drops the
 * database and removes the data directory, then throws its own error.
 */
export async function startStack(options: { regions?: string[]; snapshotPollMs?: number } = {}): Promise<TestStack> {
  const regions = options.regions ?? ["eu", "us"];
  const adminToken = `admtok_${randomBytes(20).toString("hex")}`;
  const echoApiKey = `echo_${randomBytes(8).toString("hex")}`;
  const stack = { proxies: {} } as TestStack;
  // What this start has made so far, for stop() and for a start that fails.
  const made: { db?: TestDatabase; dataDir?: string; echo?: TestStack["echo"] } = {};
  // Every step runs though one before it fails (an echo vendor that fails to stop still leaves no database).
  const stopAll = () =>
    runAll([
      // Every proxy is stopped before the first failure is reported; a stop is idempotent, so a
      // proxy or control plane a test stopped itself (an outage) stops again without error.
      () => runAll(Object.values(stack.proxies).map((proxy) => () => proxy.stop())),
      () => stack.controlPlane?.stop(),
      () => made.echo?.stop(),
      () => made.db?.drop(),
      () => made.dataDir === undefined ? undefined : rm(made.dataDir, { recursive: true, force: true }),
    ]);
  try {
    const db = (made.db = await createTestDatabase());
    const dataDir = (made.dataDir = await mkdtemp(join(tmpdir(), "gw-stack-")));
    const echo = (made.echo = await startEchoVendor({ port: 0, apiKey: echoApiKey }));

    let controlPlanePort = 0;
    const bootControlPlane = async () => {
      const running = await startControlPlane({
        port: controlPlanePort,
        databaseUrl: db.url,
        dataDir: join(dataDir, "control-plane"),
        adminToken,
        log: () => {},
      });
      controlPlanePort = running.port;
      stack.controlPlane = running;
      stack.admin = adminClient(running.url, adminToken);
      return running;
    };
    await bootControlPlane();
    const demo = await seedDemo(stack.admin, { vendorUrl: echo.url, regions });

    Object.assign(stack, {
      db,
      dataDir,
      adminToken,
      echo,
      echoApiKey,
      demo,
      proxies: stack.proxies,
      startControlPlane: bootControlPlane,
      async startProxy(region: string, overrides: Partial<ProxyConfig> = {}) {
        await stack.proxies[region]?.stop();
        const proxy = await startProxy({
          region,
          controlPlaneUrl: stack.controlPlane.url,
          regionToken: demo.regionTokens[region]!,
          trustedJwks: stack.controlPlane.jwks,
          dataDir: join(dataDir, `proxy-${region}`),
          port: 0,
          snapshotPollMs: options.snapshotPollMs ?? 200,
          usageFlushMs: 200,
          credentials: { ECHO_VENDOR_API_KEY: echoApiKey },
          log: () => {},
          ...overrides,
        });
        stack.proxies[region] = proxy;
        return proxy;
      },
      stop: stopAll,
    } satisfies Omit<TestStack, "controlPlane" | "admin">);

    for (const region of regions) await stack.startProxy(region);
    return stack;
  } catch (error) {
    // The start's own error is the one thrown, not a later one from stopping.
    await stopAll().catch(() => {});
    throw error;
  }
}

/** Polls until `check` returns a value (not undefined/false) or the time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await Bun.sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ""}`);
}
