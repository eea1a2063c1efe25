/**
 * Where a generated bootstrap admin token is handed over: a file readable only by the control plane's
 * user (`dataDir/bootstrap-admin.token`, mode 0600), never the log, which is shipped and kept
 * elsewhere. The log says where the file is; an operator reads it once and deletes it.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export const BOOTSTRAP_TOKEN_FILE = "bootstrap-admin.token";

/** Writes the token (replacing a file left by a start that did not finish) and returns the path. */
export async function writeBootstrapToken(dataDir: string, token: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, BOOTSTRAP_TOKEN_FILE);
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  await chmod(path, 0o600); // an older file keeps its mode through writeFile
  return path;
}
