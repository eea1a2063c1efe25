/**
 * A service's main.ts run as the image runs it: PID 1 of a new PID namespace (`unshare -rpf`, as in the
 * container) where the system allows it, else a plain child. As PID 1, Bun gets no default action for
 * SIGTERM/SIGINT: a signal with no handler installed is ignored. As a plain child, one kills the process
 * instead. Either way only a handler installed by main.ts gives a clean exit, which is what the
 * signal-during-start tests assert.
 */

/** Whether main.ts runs as PID 1 here (unshare and pgrep work), else as a plain child. */
export const asPid1 = Bun.which("pgrep") !== null && Bun.spawnSync(["unshare", "-rpf", "true"], { stderr: "ignore" }).exitCode === 0;

export interface MainProcess {
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
  /** Sends `name` to the service's own process (under unshare, the child of the unshare process). */
  signal(name: "SIGTERM" | "SIGINT"): Promise<void>;
  /** How it ended within `ms` (null: still running). */
  ended(ms: number): Promise<{ exitCode: number | null; signalCode: Bun.Subprocess["signalCode"] } | null>;
  /** Kills it if it still runs (a failed test): the service first, which outlives unshare otherwise. */
  kill(): Promise<void>;
}

/** Starts `bun <file>` with `env` (PATH added), as PID 1 where `asPid1`. */
export function spawnMain(file: string, env: Record<string, string>): MainProcess {
  const child = Bun.spawn([...(asPid1 ? ["unshare", "-rpf"] : []), process.execPath, file], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  for (const stream of [child.stdout, child.stderr]) {
    void (async () => {
      const reader = stream.getReader();
      const decoder = new TextDecoder();
      for (let read = await reader.read(); !read.done; read = await reader.read()) out += decoder.decode(read.value);
    })();
  }
  let pid: Promise<number> | null = null;
  // Looked up when first needed (unshare forks the service just after it starts). Never 0: process.kill(0) signals the test's own group.
  const servicePid = () => (pid ??= asPid1 ? forkedBy(child.pid) : Promise.resolve(child.pid));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    output: () => out,
    async signal(name) {
      process.kill(await servicePid(), name);
    },
    async ended(ms) {
      const done = await Promise.race([child.exited.then(() => true), Bun.sleep(ms).then(() => false)]);
      return done ? { exitCode: child.exitCode, signalCode: child.signalCode } : null;
    },
    async kill() {
      if (!running()) return;
      if (asPid1) await servicePid().then((service) => process.kill(service, "SIGKILL")).catch(() => {});
      child.kill("SIGKILL");
      await child.exited;
    },
  };
}

/** The pid of the process `parent` forked (unshare's service), waiting up to 2 s for it to appear. */
async function forkedBy(parent: number): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const found = Number((await Bun.$`pgrep -P ${parent}`.nothrow().quiet().text()).trim().split("\n")[0]);
    if (Number.isInteger(found) && found > 1) return found;
    await Bun.sleep(10);
  }
  throw new Error(`no process forked by ${parent}`);
}
