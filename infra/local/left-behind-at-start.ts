/**
 * Whether a launcher run by npm (or npx) was already left behind when it first looked at its parent.
 * `npm start` runs it as `sh -c "bun infra/start.ts"`; a SIGTERM to npm kills that sh, and a launcher
 * whose sh died before it read process.ppid finds init (pid 1) there: the parent-gone watch, which waits
 * for the parent to change, would never fire, and the launcher would run on as an orphan on its ports.
 * Pid 1 may be the package runner itself, though: a container whose first process is `npm start`, with
 * a shell that execs the command (busybox, bash), makes npm the launcher's parent and pid 1.
 *
 * @example if (leftBehindAtStart(process.env, startedBy)) process.exit(0)
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";

const RUNNERS = new Set(["node", "nodejs", "bun", "npm", "npx", "npm-cli", "npx-cli", "pnpm", "yarn", "corepack"]);

export function leftBehindAtStart(env: Record<string, string | undefined>, parent: number, initCommand: () => string[] | null = readInitCommand): boolean {
  if (!env.npm_lifecycle_event || parent !== 1) return false;
  const init = initCommand();
  // Unreadable (no /proc, as on macOS, whose init is launchd): pid 1 is no package runner.
  if (!init) return true;
  return !init.slice(0, 2).some((arg) => RUNNERS.has(basename(arg).replace(/\.(c?js|mjs|exe)$/, "")));
}

/** Pid 1's command line (Linux), or null where it cannot be read. */
function readInitCommand(): string[] | null {
  try {
    return readFileSync("/proc/1/cmdline", "utf8").split("\0").filter(Boolean);
  } catch {
    return null;
  }
}
