/**
 * Two (or more) replicas of the stack's `eu` region sharing one Redis prefix, each with the leased
 * limits the proxy runs by default, in place of the stack's own `eu` proxy. Each waits until it runs
 * the current configuration version.
 *
 * @example const replicas = await startLeasedReplicas(stack, { redisUrl: redis.url, prefix: `${redis.prefix}eu:` });
 */
import { join } from "node:path";
import postgres from "postgres";
import { newId } from "../../shared/ids.ts";
import { startProxy, type RunningProxy } from "../../region-proxy/main.ts";
import { createLeasedLimits, type RunningLeasedLimits } from "../../region-proxy/leases/leased-limits.ts";
import { createTestRedis, type TestRedis } from "./redis.ts";
import { eventually, startStack, type TestStack } from "./stack.ts";
import { runAll } from "./run-all.ts";

export interface LeasedReplica {
  proxy: RunningProxy;
  limits: RunningLeasedLimits;
}

export interface LeasedReplicaOptions {
  redisUrl: string;
  prefix: string;
  leaseRefreshMs?: number;
  usageFlushMs?: number;
  names?: string[];
}

/**
 * A replica that fails to start (its proxy, or the wait for it to load the configuration) stops the
 * replicas started before it and its own leased limits, then the error is thrown.
 */
export async function startLeasedReplicas(stack: TestStack, options: LeasedReplicaOptions): Promise<LeasedReplica[]> {
  await Promise.all(Object.values(stack.proxies).map((p) => p.stop()));
  stack.proxies = {};
  const { configVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  const common = { region: "eu", controlPlaneUrl: stack.controlPlane.url, regionToken: stack.demo.regionTokens.eu! };
  const replicas: LeasedReplica[] = [];
  try {
    for (const name of options.names ?? ["a", "b"]) {
      const proxyId = newId("prx");
      const limits = await createLeasedLimits({
        ...common,
        proxyId,
        redisUrl: options.redisUrl,
        prefix: options.prefix,
        replicaShare: 0.5,
        ...(options.leaseRefreshMs ? { leaseRefreshMs: options.leaseRefreshMs } : {}),
      });
      let proxy: RunningProxy;
      try {
        proxy = await startProxy(
          {
            ...common,
            proxyId,
            trustedJwks: stack.controlPlane.jwks,
            dataDir: join(stack.dataDir, `replica-${name}`),
            port: 0,
            snapshotPollMs: 200,
            usageFlushMs: options.usageFlushMs ?? 200,
            credentials: { ECHO_VENDOR_API_KEY: stack.echoApiKey },
            log: () => {},
          },
          { limits: limits.enforcer },
        );
      } catch (error) {
        await limits.close().catch(() => {});
        throw error;
      }
      replicas.push({ proxy, limits });
      await eventually(() => proxy.snapshotVersion() >= configVersion, 5000, `replica ${name} to load configuration version ${configVersion}`);
    }
    return replicas;
  } catch (error) {
    await stopLeasedReplicas(replicas);
    throw error;
  }
}

/** Stops each replica's proxy, then closes its leased limits; one that fails to stop does not keep the others running. */
export async function stopLeasedReplicas(replicas: LeasedReplica[]): Promise<void> {
  for (const { proxy, limits } of replicas) {
    await proxy.stop().catch(() => {});
    await limits.close().catch(() => {});
  }
}

export interface LeasedReplicaStack {
  stack: TestStack;
  /** The replicas' Redis: they share the prefix `${redis.prefix}eu:`. */
  redis: TestRedis;
  /** Two connections on the stack's database, to read the ledger. */
  sql: postgres.Sql;
  replicas: LeasedReplica[];
  /**
   * Stops the replicas, then ends the pool, cleans the Redis prefix and stops the stack: every step
   * runs though one before it fails, and the first failure is thrown.
   */
  stop(): Promise<void>;
}

/**
 * A one-region stack served by leased replicas on a fresh Redis prefix, with a pool on its database.
 * `prepare` runs on the stack before the replicas start (prices, aliases, a budget), so they load that
 * configuration. A start that fails stops whatever it had started.
 *
 * @example ({ stack, redis, sql, replicas } = running = await startLeasedReplicaStack({ prepare: setBudget, leaseRefreshMs: 100 }));
 */
export async function startLeasedReplicaStack(
  options: { prepare(stack: TestStack): Promise<void> } & Pick<LeasedReplicaOptions, "leaseRefreshMs" | "usageFlushMs">,
): Promise<LeasedReplicaStack> {
  const stack = await startStack({ regions: ["eu"] });
  let redis: TestRedis | undefined;
  let sql: postgres.Sql | undefined;
  const replicas: LeasedReplica[] = [];
  // Each step runs even when one before it fails (a Redis cleanup that throws still stops the stack).
  const stop = () =>
    runAll([
      () => stopLeasedReplicas(replicas),
      () => sql?.end({ timeout: 1 }),
      () => redis?.cleanup(),
      () => stack.stop(),
    ]);
  try {
    redis = await createTestRedis();
    sql = postgres(stack.db.url, { max: 2, onnotice: () => {} });
    await options.prepare(stack);
    const { leaseRefreshMs, usageFlushMs } = options;
    replicas.push(...(await startLeasedReplicas(stack, { redisUrl: redis.url, prefix: `${redis.prefix}eu:`, leaseRefreshMs, usageFlushMs })));
    return { stack, redis, sql, replicas, stop };
  } catch (error) {
    // The start's own error is the one thrown, not a later one from stopping.
    await stop().catch(() => {});
    throw error;
  }
}
