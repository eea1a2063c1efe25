/**
 * The proxy as the benchmark runs it: its own process, the full request path (auth, policy, limits,
 * usage outbox), configured from the environment like a real deployment. Prints `READY <port>` once
 * a verified snapshot is loaded.
 */
import { startProxy } from "../../region-proxy/main.ts";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const env = process.env;
const proxy = await startProxy({
  region: env.REGION!,
  controlPlaneUrl: env.CONTROL_PLANE_URL!,
  regionToken: env.REGION_TOKEN!,
  trustedJwks: JSON.parse(env.TRUSTED_JWKS!),
  dataDir: await mkdtemp(join(tmpdir(), "gw-bench-proxy-")),
  port: 0,
  log: () => {},
  // Exactly the vendor credential the seeded deployment names (env:BENCH_VENDOR_KEY), nothing else.
  credentials: { BENCH_VENDOR_KEY: env.BENCH_VENDOR_KEY! },
  // Knob for experiments (how much of the proxy's cost is the usage flusher); the default is the proxy's.
  ...(env.BENCH_USAGE_FLUSH_MS ? { usageFlushMs: Number(env.BENCH_USAGE_FLUSH_MS) } : {}),
});
const deadline = Date.now() + 15_000;
while (proxy.snapshotVersion() === 0) {
  if (Date.now() > deadline) throw new Error("the benchmark proxy got no snapshot within 15 s");
  await Bun.sleep(50);
}
console.log(`READY ${proxy.port}`);
process.on("SIGTERM", () => void proxy.stop().then(() => process.exit(0)));
