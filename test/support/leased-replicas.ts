/**
 * Two (or more) replicas of the stack's `eu` region sharing one Redis prefix, each with the leased
 * limits the proxy runs by default, in place of the stack's own `eu` proxy. Each waits until it runs
 * the current configuration version.
 *
 * @example const replicas = await startLeasedReplicas(stack, { redisUrl: redis.url, prefix: `${redis.prefix}eu:` });
 */
import { join } from "node:path";
import { newId } from "../../shared/ids.ts";
import { startProxy, type RunningProxy } from "../../region-proxy/main.ts";
import { createLeasedLimits, type RunningLeasedLimits } from "../../region-proxy/leases/leased-limits.ts";
import { eventually, type TestStack } from "./stack.ts";

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

export async function startLeasedReplicas(stack: TestStack, options: LeasedReplicaOptions): Promise<LeasedReplica[]> {
  await Promise.all(Object.values(stack.proxies).map((p) => p.stop()));
  stack.proxies = {};
  const { configVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  const common = { region: "eu", controlPlaneUrl: stack.controlPlane.url, regionToken: stack.demo.regionTokens.eu! };
  const replicas: LeasedReplica[] = [];
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
    const proxy = await startProxy(
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
    replicas.push({ proxy, limits });
    await eventually(() => proxy.snapshotVersion() >= configVersion, 5000, `replica ${name} to load configuration version ${configVersion}`);
  }
  return replicas;
}

export async function stopLeasedReplicas(replicas: LeasedReplica[]): Promise<void> {
  for (const { proxy, limits } of replicas) {
    await proxy.stop().catch(() => {});
    await limits.close().catch(() => {});
  }
}
