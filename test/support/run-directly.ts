/**
 * Runs a service's main.ts as the image runs it (`bun <file>`, with `env` as its whole environment
 * besides PATH), waits for the stdout line matching `listening` (its first group is the service's
 * URL), lets `whileUp` check the running service, sends `signal`, and returns everything it printed
 * on stdout and its exit code. A service that never prints the line within `waitMs` is killed, and
 * the error shows its stdout and stderr. `cwd`: the working directory it is run from (default: the test's).
 */
export async function runUntilSignal(options: {
  file: string;
  env: Record<string, string>;
  listening: RegExp;
  signal: "SIGTERM" | "SIGINT";
  whileUp: (url: string) => Promise<void>;
  waitMs?: number;
  cwd?: string;
}): Promise<{ stdout: string; exitCode: number }> {
  const child = Bun.spawn([process.execPath, options.file], { cwd: options.cwd, env: { PATH: process.env.PATH ?? "", ...options.env }, stdout: "pipe", stderr: "pipe" });
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let out = "";
  try {
    const deadline = Bun.sleep(options.waitMs ?? 10_000).then(() => ({ done: true as const, value: undefined }));
    while (!options.listening.test(out)) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) throw new Error(`no line matching ${options.listening}; stdout:\n${out}\nstderr:\n${await new Response(child.stderr).text()}`);
      out += decoder.decode(value);
    }
    await options.whileUp(options.listening.exec(out)![1]!);
    child.kill(options.signal);
    for (let read = await reader.read(); !read.done; read = await reader.read()) out += decoder.decode(read.value);
    return { stdout: out, exitCode: await child.exited };
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}
