/**
 * Calls `gone` once when `parent`, the process that started this one (process.ppid, read first thing),
 * has exited: this process was re-parented.
 * `npm start` runs the launcher as `sh -c "bun infra/start.ts"`: a SIGTERM to npm reaches that sh only,
 * which dies of it without passing it on, so the launcher must notice by itself that it was left behind.
 *
 * @example const startedBy = process.ppid; ...; whenParentGone(startedBy, () => void shutdown("parent gone"))
 */
export function whenParentGone(parent: number, gone: () => void, everyMs = 500): void {
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    gone();
  }, everyMs);
  timer.unref();
}
