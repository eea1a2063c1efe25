/**
 * The proxy as the benchmark runs it: its own process, the full request path (auth, policy, limits,
 * usage outbox), configured from the environment like a real deployment. Prints `READY <port>` once
 * a verified snapshot is loaded.
 */
import { startProxy } from "../../region-proxy/main.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const env = process.env;
const dataDir = await mkdtemp(join(tmpdir(), "gw-bench-proxy-"));
const proxy = await startProxy({
  region: env.REGION!,
  controlPlaneUrl: env.CONTROL_PLANE_URL!,
  regionToken: env.REGION_TOKEN!,
  trustedJwks: JSON.parse(env.TRUSTED_JWKS!),
  dataDir,
  port: 0,
  // BENCH_DEBUG=1: the proxy's log on stderr, with times, to line up with the stall report below.
  log: env.BENCH_DEBUG ? (line: string) => console.error(`${(performance.now() / 1000).toFixed(3)} ${line}`) : () => {},
  // Exactly the vendor credential the seeded deployment names (env:BENCH_VENDOR_KEY), nothing else.
  credentials: { BENCH_VENDOR_KEY: env.BENCH_VENDOR_KEY! },
  // `--redis <url>`: limits and the circuit breaker shared through Redis, as a region's replicas run them.
  ...(env.BENCH_REDIS_URL ? { redisUrl: env.BENCH_REDIS_URL } : {}),
  // Knob for experiments (how much of the proxy's cost is the usage flusher); the default is the proxy's.
  ...(env.BENCH_USAGE_FLUSH_MS ? { usageFlushMs: Number(env.BENCH_USAGE_FLUSH_MS) } : {}),
});
const deadline = Date.now() + 15_000;
while (proxy.snapshotVersion() === 0) {
  if (Date.now() > deadline) throw new Error("the benchmark proxy got no snapshot within 15 s");
  await Bun.sleep(50);
}
console.log(`READY ${proxy.port}`);
if (env.BENCH_DEBUG) watchEventLoop();

/** Reports every event-loop stall over 3 ms (a timer that should fire each millisecond firing late). */
function watchEventLoop() {
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 4) console.error(`${(now / 1000).toFixed(3)} event loop stalled ${(now - last - 1).toFixed(1)} ms`);
    last = now;
  }, 1);
}
// Each run's KV file goes with it: a benchmark leaves nothing behind in the temp directory.
process.on("SIGTERM", () => void proxy.stop().then(() => rm(dataDir, { recursive: true, force: true })).then(() => process.exit(0)));
