/**
 * The control plane as the image runs it (`bun control-plane/main.ts`, NODE_ENV=production, its own
 * process on port 0), for tests where what matters is whether the process survives: an uncaught
 * exception there exits the child, where in-process it would take the test runner down.
 */
import { join } from "node:path";

export interface ControlPlaneProcess {
  url: string;
  /** The process has not exited. */
  alive(): boolean;
  /** Stops it (SIGKILL) and answers everything it wrote to stderr. */
  kill(): Promise<string>;
}

/** Starts it on `databaseUrl` and `dataDir` and waits for its "listening on" line (at most `waitMs`). */
export async function startControlPlaneProcess(options: { databaseUrl: string; dataDir: string; adminToken: string; waitMs?: number }): Promise<ControlPlaneProcess> {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "..", "main.ts")], {
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", PORT: "0", DATABASE_URL: options.databaseUrl, DATA_DIR: options.dataDir, ADMIN_TOKEN: options.adminToken },
    stdout: "pipe",
    stderr: "pipe",
  });
  const stderr = new Response(child.stderr).text();
  const kill = async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await child.exited;
    return stderr;
  };
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  const listening = /control plane listening on (http:\/\/\S+)/;
  const deadline = Bun.sleep(options.waitMs ?? 15_000).then(() => ({ done: true as const, value: undefined }));
  let out = "";
  while (!listening.test(out)) {
    const { done, value } = await Promise.race([reader.read(), deadline]);
    if (done) throw new Error(`control plane did not start; stdout:\n${out}\nstderr:\n${await kill()}`);
    out += decoder.decode(value);
  }
  // Keep reading, so a full pipe never blocks the child's logging.
  void (async () => {
    while (!(await reader.read()).done);
  })().catch(() => {});
  return { url: listening.exec(out)![1]!, alive: () => child.exitCode === null && child.signalCode === null, kill };
}
