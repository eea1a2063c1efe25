/**
 * The proxy's one local durable store: a Deno KV (SQLite) file at `<dataDir>/proxy.kv` holding the
 * last-known-good snapshot and the usage outbox. Under Bun it needs a JS V8 serializer; ours
 * (v8-string-serializer.ts) handles strings of any length, so values are stored as JSON strings.
 */
import { openKv, type Kv } from "@deno/kv";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { decodeV8, encodeV8 } from "./v8-string-serializer.ts";

export type { Kv };

export async function openProxyKv(dataDir: string): Promise<Kv> {
  mkdirSync(dataDir, { recursive: true });
  return openKv(join(dataDir, "proxy.kv"), { encodeV8, decodeV8 });
}
