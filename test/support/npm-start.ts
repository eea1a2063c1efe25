/**
 * `bun infra/start.ts` (what `npm start` calls) as a user runs it, for the launcher's tests: either
 * until its banner is printed (`launch`) or until it exits on its own (`launchUntilExit`). It is run by
 * its absolute path from `cwd` (default: the repository, as npm runs it).
 */
import { afterAll } from "bun:test";
import { join } from "node:path";
import { freePorts } from "./ports.ts";

const REPO = join(import.meta.dir, "../..");

/**
 * The launcher's four ports, free and all different (it refuses two services on one port), from below
 * Linux's ephemeral range (32768-60999): a port the OS hands out for port 0 is also where it puts the
 * local end of outgoing connections, so one of the suite's long-lived pool connections could hold it by
 * the time the launcher binds it, seconds later (a fresh-clone CI run: "US_PROXY_PORT 39451 is in use",
 * three attempts running). Ports here are taken only by an explicit bind, and are probed free together.
 */
export function launcherPorts(): { CONTROL_PLANE_PORT: number; US_PROXY_PORT: number; EU_PROXY_PORT: number; ECHO_VENDOR_PORT: number } {
  const [CONTROL_PLANE_PORT, US_PROXY_PORT, EU_PROXY_PORT, ECHO_VENDOR_PORT] = freePortsBelowEphemeral(4) as [number, number, number, number];
  return { CONTROL_PLANE_PORT, US_PROXY_PORT, EU_PROXY_PORT, ECHO_VENDOR_PORT };
}

const LOW_PORTS = { from: 20_000, to: 32_000 };

function freePortsBelowEphemeral(count: number): number[] {
  for (let attempt = 0; attempt < 100; attempt++) {
    const wanted = new Set<number>();
    while (wanted.size < count) wanted.add(LOW_PORTS.from + Math.floor(Math.random() * (LOW_PORTS.to - LOW_PORTS.from)));
    const held: { stop(closeActiveConnections?: boolean): void }[] = [];
    try {
      for (const port of wanted) held.push(Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } }));
      return [...wanted];
    } catch {
      // One of them is taken: another draw.
    } finally {
      for (const socket of held) socket.stop(true);
    }
  }
  return freePorts(count);
}

export interface LaunchEnv {
  DATA_DIR: string;
  [name: string]: string | number | undefined;
}

// A launcher a failed test never stopped must not outlive the test run (holding its ports, polling a dropped database).
const running = new Set<{ kill(signal: "SIGKILL"): void }>();
afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
});

function spawnLauncher(env: LaunchEnv, cwd = REPO) {
  const own = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
  const child = Bun.spawn([process.execPath, join(REPO, "infra/start.ts")], { cwd, env: { ...process.env, ...own }, stdout: "pipe", stderr: "pipe" });
  running.add(child);
  void child.exited.then(() => running.delete(child));
  return child;
}

/**
 * Starts the launcher and waits for its banner; throws with what it printed if it exits first. The
 * ports come from freePort(), so one can be taken (by another process's connection) before the
 * launcher binds it: a start that exits on a port in use is tried again, up to `attempts` times.
 */
export async function launch(env: LaunchEnv, attempts = 3, cwd = REPO): Promise<{ child: ReturnType<typeof spawnLauncher>; output: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce(env, cwd);
    } catch (error) {
      if (attempt >= attempts || !/npm start exited early:[\s\S]*in use/.test((error as Error).message)) throw error;
      await Bun.sleep(250);
    }
  }
}

async function launchOnce(env: LaunchEnv, cwd: string): Promise<{ child: ReturnType<typeof spawnLauncher>; output: string }> {
  const child = spawnLauncher(env, cwd);
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let output = "";
  const deadline = Date.now() + 45_000;
  while (!output.includes("Ctrl-C stops everything")) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`npm start did not finish booting:\n${output}`);
    }
    const { done, value } = await reader.read();
    if (done) throw new Error(`npm start exited early:\n${output}\n${await new Response(child.stderr).text()}`);
    output += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  void child.stdout.pipeTo(new WritableStream());
  return { child, output };
}

/** Runs the launcher expecting it to stop by itself (a refused start); killed after `waitMs`. */
export async function launchUntilExit(env: LaunchEnv, waitMs = 45_000): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const child = spawnLauncher(env);
  const timer = setTimeout(() => child.kill("SIGKILL"), waitMs);
  try {
    const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    return { exitCode, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stops a launcher with SIGTERM (its graceful stop) and returns its exit code. Tests about what a start
 * does need not assert it (npm-start.test.ts is the one about the stop): Bun itself crashes (SIGSEGV,
 * exit 139) now and then while the two proxies' outbox workers, each with a bun:sqlite database, are
 * terminated (as in oven-sh/bun#29275).
 */
export async function stopLauncher(child: Pick<ReturnType<typeof spawnLauncher>, "kill" | "exited" | "stderr">): Promise<number> {
  child.kill("SIGTERM");
  const code = await child.exited;
  // A stop that went wrong shows why next to the failed expectation.
  if (code !== 0) console.error(`npm start exited ${code} on SIGTERM; its stderr:\n${await new Response(child.stderr).text()}`);
  return code;
}
