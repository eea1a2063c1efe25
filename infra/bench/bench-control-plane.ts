/**
 * The control plane the benchmark's proxies are configured from: a real control plane on a temporary
 * data dir, seeded with the demo tenant, key and alias pointing at the benchmark's vendor, and (usage
 * "sink") the stub in front of it that acknowledges usage batches without ingesting them
 * (usage-sink-front.ts). `proxyEnv` is what proxy-under-test.ts needs to start against it.
 *
 * By default (`limits` unset or true) the demo key is created with every limit (RPM, TPM, a daily and
 * a monthly budget), set far above anything a run can spend, so every request goes through the rate
 * limiter, a budget reservation and its settlement, and carries the `x-ratelimit-*` headers, as a key
 * with limits does in production: the proxy's full path. With `limits: false` (the scripts'
 * `--no-limits`) the demo key has no rate limit and no budget, and the limits step plans and admits
 * without touching a counter. With `redisUrl` the proxy keeps
 * its counters, reservations and breaker state in that Redis (every run's keys are new: new key,
 * tenant and deployment ids, each with a TTL), as replicas sharing a region do.
 *
 * @example const stack = await startBenchControlPlane(vendor.url, "bench-vendor-key", "sink");
 *          const proxy = await spawnServer(here("./proxy-under-test.ts"), stack.proxyEnv); ... await stack.stop();
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startControlPlane } from "../../control-plane/main.ts";
import { adminClient } from "../local/admin-client.ts";
import { seedDemo } from "../local/seed-demo.ts";
import { startUsageSinkFront, type UsageSinkFront } from "./usage-sink-front.ts";

const ADMIN_TOKEN = "admtok_bench_only_local";

export interface BenchControlPlane {
  demo: Awaited<ReturnType<typeof seedDemo>>;
  /** The usage stub, or null when usage goes to the control plane itself. */
  front: UsageSinkFront | null;
  proxyEnv: Record<string, string>;
  stop(): Promise<void>;
}

/** Never reached in a run (about 20,000 req/s for seconds; a few USD of spend), but every one is counted. */
const UNREACHED_LIMITS = { rpm: 100_000_000, tpm: 2_000_000_000, dailyBudgetUsd: 1_000_000, monthlyBudgetUsd: 10_000_000 };

export async function startBenchControlPlane(vendorUrl: string, vendorKey: string, usage: "sink" | "real", options: { limits?: boolean; redisUrl?: string } = {}): Promise<BenchControlPlane> {
  const dataDir = await mkdtemp(join(tmpdir(), "gw-bench-"));
  const controlPlane = await startControlPlane({ port: 0, dataDir, adminToken: ADMIN_TOKEN, log: () => {} });
  const demo = await seedDemo(adminClient(controlPlane.url, ADMIN_TOKEN), {
    vendorUrl,
    regions: ["bench"],
    credentialEnv: "BENCH_VENDOR_KEY",
    ...(options.limits === false ? {} : { keyLimits: UNREACHED_LIMITS }),
  });
  const front = usage === "real" ? null : startUsageSinkFront(controlPlane.url);
  return {
    demo,
    front,
    proxyEnv: {
      REGION: "bench",
      CONTROL_PLANE_URL: front?.url ?? controlPlane.url,
      REGION_TOKEN: demo.regionTokens.bench!,
      TRUSTED_JWKS: JSON.stringify(controlPlane.jwks),
      BENCH_VENDOR_KEY: vendorKey,
      // Limits and the circuit breaker shared through this Redis, as a region's replicas run them.
      ...(options.redisUrl ? { BENCH_REDIS_URL: options.redisUrl } : {}),
    },
    async stop() {
      await front?.stop();
      await controlPlane.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
