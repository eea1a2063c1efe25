/**
 * Where a generated bootstrap admin token is handed over: a file readable only by the control plane's
 * user (`dataDir/bootstrap-admin.token`, mode 0600), never the log, which is shipped and kept
 * elsewhere. The log says where the file is; an operator reads it once and deletes it.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

export const BOOTSTRAP_TOKEN_FILE = "bootstrap-admin.token";

/**
 * Writes the token and returns the path. The token goes into a new file created 0600 ("wx": never an
 * existing file or a link someone placed), which is then renamed over the path: a file left by a
 * start that did not finish, or one with looser permissions, is replaced, never written through.
 */
export async function writeBootstrapToken(dataDir: string, token: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, BOOTSTRAP_TOKEN_FILE);
  const fresh = join(dataDir, `.${BOOTSTRAP_TOKEN_FILE}.${randomBytes(6).toString("hex")}`);
  try {
    await writeFile(fresh, `${token}\n`, { mode: 0o600, flag: "wx" });
    await rename(fresh, path);
  } catch (error) {
    await rm(fresh, { force: true });
    throw error;
  }
  return path;
}
