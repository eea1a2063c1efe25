/**
 * The proxy's one local durable store: a Deno KV (SQLite) file at `<dataDir>/proxy.kv` holding the
 * last-known-good snapshot and the usage outbox. Under Bun it needs a JS V8 serializer; ours
 * (v8-string-serializer.ts) handles strings of any length, so values are stored as JSON strings.
 *
 * The file is checked before Deno KV opens it (check-kv-file.ts): a damaged one would crash every
 * start. It is then set aside, kept, and replaced by a fresh file holding what could be salvaged of
 * its usage outbox (damaged-kv.ts), and the start goes on; so does one whose open fails as damaged.
 */
import { openKv, type Kv } from "@deno/kv";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { isDamageError, kvFileDamage } from "./check-kv-file.ts";
import { finishInterruptedRepair, replaceDamagedKv } from "./damaged-kv.ts";
import { decodeV8, encodeV8 } from "./v8-string-serializer.ts";

export type { Kv };

export const KV_FILE = "proxy.kv";

export interface OpenKvOptions {
  /** Where setting a damaged file aside is reported (default: stderr). */
  log?: (line: string) => void;
}

export async function openProxyKv(dataDir: string, options: OpenKvOptions = {}): Promise<Kv> {
  // Private, as the control plane's embedded database: it holds every request's usage and the snapshot.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, KV_FILE);
  const log = options.log ?? ((line: string) => console.error(line));
  finishInterruptedRepair(path);
  let why = kvFileDamage(path);
  if (why === null) {
    try {
      return await openKvFile(path);
    } catch (error) {
      if (!isDamageError(error)) throw error;
      why = (error as Error).message;
    }
  }
  await replaceDamagedKv(dataDir, path, why, openKvFile, log);
  return openKvFile(path);
}

function openKvFile(path: string): Promise<Kv> {
  return openKv(path, { encodeV8, decodeV8 });
}
