/**
 * Runs a service's main.ts as the image runs it (`bun <file>`, `env` as its whole environment besides
 * PATH) and waits for it to exit: for starts that must be refused. One that is still running after
 * `waitMs` is killed and reported as exit code null, so a start that was not refused fails the test
 * instead of hanging it. `cwd`: the working directory it is run from (default: the test's).
 */
export async function runToExit(file: string, env: Record<string, string>, waitMs = 15_000, cwd?: string): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  const child = Bun.spawn([process.execPath, file], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, stdout: "pipe", stderr: "pipe" });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, waitMs);
  try {
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    return { stdout, stderr: stderr.trim(), exitCode: killed ? null : code };
  } finally {
    clearTimeout(timer);
  }
}
