/**
 * main.ts installed its SIGTERM/SIGINT handlers only once startProxy() had resolved, and a start takes
 * seconds (the first poll waits up to 2 s, Redis connects, KV checks). The image runs Bun as PID 1
 * (infra/deploy/Dockerfile), which gets no default action for SIGTERM: a `docker stop` or a rollout
 * undone in that window was dropped, and the proxy came up and served until the orchestrator's SIGKILL.
 * Now the handlers are installed first: a signal during the start stops the proxy as soon as the start
 * completes (exit 0, never "listening"), a second one exits at once.
 *
 * Run as PID 1 of a new PID namespace (`unshare -rpf`, as in the container) where the system allows it;
 * elsewhere as a plain child, where a signal with no handler kills the process instead of being ignored:
 * either way only a handler installed during the start gives the clean exit asserted here
 * (test/support/main-as-pid1.ts). The handlers: shared/process/stop-on-signals.ts.
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { generateSigningKey } from "../shared/snapshot/sign.ts";
import { asPid1, spawnMain } from "../test/support/main-as-pid1.ts";
import { tempDirs } from "../test/support/temp-dirs.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

/** main.ts started against a control plane that takes the first poll and never answers it: the start waits on it. */
async function startingProxy() {
  const { key } = await generateSigningKey("k1");
  let polled!: () => void;
  const firstPoll = new Promise<void>((resolve) => (polled = resolve));
  const cp = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (polled(), new Promise<Response>(() => {})) });
  const main = spawnMain(new URL("./main.ts", import.meta.url).pathname, {
    REGION: "eu",
    CONTROL_PLANE_URL: `http://127.0.0.1:${cp.port}`,
    REGION_TOKEN: "rt_start",
    TRUSTED_JWKS: JSON.stringify({ keys: [key.publicJwk] }),
    DATA_DIR: join(dirs.make("signal-during-start-"), "data"),
    PORT: "0",
  });
  await firstPoll; // startProxy is running: its first poll reached the control plane
  return {
    ...main,
    async kill() {
      await main.kill();
      await cp.stop(true);
    },
  };
}

test(`a SIGTERM while the proxy is starting${asPid1 ? " (PID 1, as in the image)" : ""}: it stops once the start completes, exits 0, never serves`, async () => {
  const proxy = await startingProxy();
  try {
    expect(proxy.output()).not.toContain("listening on");
    await proxy.signal("SIGTERM");
    expect(await proxy.ended(8_000)).toEqual({ exitCode: 0, signalCode: null });
    expect(proxy.output()).not.toContain("listening on");
    expect(proxy.output()).toContain("SIGTERM while starting: stopping as soon as the start completes");
    expect(proxy.output()).toContain("stopped");
  } finally {
    await proxy.kill();
  }
}, 15_000);

test(`a second SIGINT while the proxy is still starting${asPid1 ? " (PID 1)" : ""}: it exits at once with 130, never serving`, async () => {
  const proxy = await startingProxy();
  try {
    await proxy.signal("SIGINT");
    await Bun.sleep(100);
    await proxy.signal("SIGINT");
    // Well before the first poll's 2 s wait ends: the start is not waited for.
    expect(await proxy.ended(1_500)).toEqual({ exitCode: 130, signalCode: null });
    expect(proxy.output()).not.toContain("listening on");
  } finally {
    await proxy.kill();
  }
}, 15_000);
