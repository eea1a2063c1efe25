/**
 * Temporary directories a test file makes, removed together when it ends, so repeated runs leave
 * nothing behind in the temp directory.
 *
 * @example const dirs = tempDirs(); afterAll(dirs.removeAll); const dir = dirs.make("cred-");
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function tempDirs(): { make(prefix: string): string; removeAll(): void } {
  const made: string[] = [];
  return {
    make(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    removeAll() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
