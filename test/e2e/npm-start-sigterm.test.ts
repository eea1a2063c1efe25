/**
 * SIGTERM to `npm start` itself (a process manager, `kill <pid>`, `timeout`, an IDE's stop button) stops
 * the whole stack. npm passes the signal on to its `sh -c "bun infra/start.ts"` child only, and sh (dash)
 * dies of it without passing it on to bun: the launcher used to go on as an orphan holding all four
 * ports, and the next `npm start` failed on a port in use.
 */
import { afterAll, expect, test } from "bun:test";
import { execSync } from "node:child_process";
import { join } from "node:path";
import { freePort } from "../support/ports.ts";
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

const refuses = (port: number) => fetch(`http://127.0.0.1:${port}/`).then(() => false, () => true);

test("SIGTERM to npm start stops the stack gracefully: nothing keeps listening on its ports", async () => {
  const ports = { CONTROL_PLANE_PORT: freePort(), US_PROXY_PORT: freePort(), EU_PROXY_PORT: freePort(), ECHO_VENDOR_PORT: freePort() };
  const env = { ...process.env, DATA_DIR: dirs.make("gw-npm-start-sigterm-"), ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  const npm = Bun.spawn(["npm", "start"], { cwd: join(import.meta.dir, "../.."), env, stdout: "pipe", stderr: "pipe" });
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
