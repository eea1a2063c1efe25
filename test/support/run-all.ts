/**
 * Cleanup that runs to the end: every step runs in turn though one before it fails, and then the
 * first failure is thrown, so a server that fails to stop still leaves no database or directory behind.
 *
 * @example await runAll([() => server.stop(), () => db.drop(), () => rm(dir, { recursive: true, force: true })]);
 */
export async function runAll(steps: (() => unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
