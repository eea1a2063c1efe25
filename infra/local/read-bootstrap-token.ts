/**
 * The launcher's way back to an admin token it never got to keep: the control plane hands a token it
 * generates over in `<its dataDir>/bootstrap-admin.token` (mode 0600) before storing it, so a first
 * start that stopped before local-stack.json was written still has it there.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BOOTSTRAP_TOKEN_FILE } from "../../control-plane/auth/bootstrap-token-file.ts";

export { BOOTSTRAP_TOKEN_FILE };

/** The token in `controlPlaneDir`'s bootstrap-admin.token, or null when there is none. */
export async function readBootstrapToken(controlPlaneDir: string): Promise<string | null> {
  try {
    return (await readFile(join(controlPlaneDir, BOOTSTRAP_TOKEN_FILE), "utf8")).trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
