/**
 * What `npm start` must remember between runs on one laptop: secrets are shown once by the control
 * plane, so the launcher keeps the dev stack's own copies in `<DATA_DIR>/local-stack.json` (mode 0600).
 * This file exists only for the local all-in-one stack; a real install keeps them in its secret store.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LauncherUrls } from "./refresh-demo-urls.ts";
import type { SeedProgress } from "./seed-demo.ts";

export interface LocalState {
  adminToken: string;
  echoApiKey: string;
  regionTokens: Record<string, string>;
  demo: {
    tenantId: string;
    keyId: string;
    keySecret: string;
    alias: string;
    /** Each region's seeded echo deployment (absent in a file written before it was kept). */
    deploymentIds?: Record<string, string>;
    /** The echo vendor and proxy URLs the launcher last wrote into the demo (absent likewise). */
    urls?: LauncherUrls;
  } | null;
  /** While the first start seeds (demo still null): what it has made so far, so a start that stopped part way can go on. */
  seeding?: SeedProgress;
}

export function localStatePath(dataDir: string): string {
  return join(dataDir, "local-stack.json");
}

export async function readLocalState(dataDir: string): Promise<LocalState | null> {
  try {
    return JSON.parse(await readFile(localStatePath(dataDir), "utf8")) as LocalState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`cannot read ${localStatePath(dataDir)}: ${(error as Error).message}; delete the data directory to start over`);
  }
}

export async function writeLocalState(dataDir: string, state: LocalState): Promise<void> {
  const path = localStatePath(dataDir);
  await writeFile(path, JSON.stringify(state, null, 2), { mode: 0o600 });
  await chmod(path, 0o600);
}
