/**
 * SIGTERM to `npm start` itself (a process manager, `kill <pid>`, `timeout`, an IDE's stop button) stops
 * the whole stack. npm passes the signal on to its `sh -c "bun infra/start.ts"` child only, and sh (dash)
 * dies of it without passing it on to bun: the launcher used to go on as an orphan holding all four
 * ports, and the next `npm start` failed on a port in use. The same SIGTERM while the launcher is still
 * loading its modules (a process manager's restart, an IDE's stop right after the start) left it running:
 * it read its parent's pid only after every import was evaluated, by when the parent was already init.
 */
import { afterAll, expect, test } from "bun:test";
import { execSync } from "node:child_process";
import { join } from "node:path";
import { launcherPorts } from "../support/npm-start.ts";
import { tempDirs } from "../support/temp-dirs.ts";

const dirs = tempDirs();
const started: number[] = [];
afterAll(() => {
  for (const pid of started) try { process.kill(pid, "SIGKILL"); } catch {}
  dirs.removeAll();
});

const descendants = (pid: number): number[] => {
  const out = execSync(`ps -o pid= --ppid ${pid} || true`).toString().trim();
  const kids = out ? out.split(/\s+/).map(Number) : [];
  return kids.flatMap((kid) => [kid, ...descendants(kid)]);
};
const commandOf = (pid: number) => {
  try {
    return execSync(`ps -o args= -p ${pid}`).toString().trim();
  } catch {
    return "";
  }
};
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const launcherEnv = (ports: Record<string, number>, prefix: string) => ({ ...process.env, DATA_DIR: dirs.make(prefix), ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) });

const refuses = (port: number) => fetch(`http://127.0.0.1:${port}/`).then(() => false, () => true);

test("SIGTERM to npm start stops the stack gracefully: nothing keeps listening on its ports", async () => {
  const ports = launcherPorts();
  const npm = Bun.spawn(["npm", "start"], { cwd: join(import.meta.dir, "../.."), env: launcherEnv(ports, "gw-npm-start-sigterm-"), stdout: "pipe", stderr: "pipe" });
  const reader = npm.stdout.getReader();
  const decoder = new TextDecoder();
  let output = "";
  while (!output.includes("Ctrl-C stops everything")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`npm start exited early:\n${output}\n${await new Response(npm.stderr).text()}`);
    output += decoder.decode(value, { stream: true });
  }
  started.push(...descendants(npm.pid));

  npm.kill("SIGTERM");
  await npm.exited;
  // The launcher writes to npm's stdout too: the pipe ends when the last process holding it has exited.
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) output += decoder.decode(chunk.value, { stream: true });
  expect(output).toContain("stopping proxies (in-flight requests finish, usage is flushed)");
  for (const port of Object.values(ports)) expect(await refuses(port)).toBe(true);
}, 90_000);

test("SIGTERM to npm start while the launcher is still loading its modules stops it too", async () => {
  const ports = launcherPorts();
  const npm = Bun.spawn(["npm", "start"], { cwd: join(import.meta.dir, "../.."), env: launcherEnv(ports, "gw-npm-start-sigterm-early-"), stdout: "ignore", stderr: "ignore" });
  // bun infra/start.ts under npm's `sh -c`, stopped as soon as it exists.
  let launcher = 0;
  for (const deadline = Date.now() + 15_000; !launcher && Date.now() < deadline; ) {
    launcher = descendants(npm.pid).find((pid) => commandOf(pid).includes("infra/start.ts") && !commandOf(pid).startsWith("sh")) ?? 0;
    if (!launcher) await Bun.sleep(5);
  }
  expect(launcher).toBeGreaterThan(0);
  started.push(launcher);
  npm.kill("SIGTERM");
  await npm.exited;
  // Left behind at whatever point of its start, the launcher stops by itself (at once, or once started).
  for (const deadline = Date.now() + 60_000; isAlive(launcher) && Date.now() < deadline; ) await Bun.sleep(100);
  const listening = [];
  for (const [name, port] of Object.entries(ports)) if (!(await refuses(port))) listening.push(name);
  expect({ alive: isAlive(launcher), listening }).toEqual({ alive: false, listening: [] });
}, 90_000);
