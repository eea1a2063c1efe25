/**
 * The last-known-good snapshot JWS in Deno KV. A KV value is limited to 64 KiB and a snapshot with
 * many keys is larger, so the JWS is written in parts under its version, then a pointer is switched to
 * it, then the previous version's parts are deleted: a crash at any point leaves a readable snapshot.
 */
import type { Kv } from "../kv/open-kv.ts";

const POINTER = ["snapshot", "pointer"];
const PART_CHARS = 30_000; // ≤ 60 KB even if every character needed two bytes

export async function saveSnapshotJws(kv: Kv, version: number, jws: string): Promise<void> {
  const previous = await readPointer(kv);
  const parts = Math.max(1, Math.ceil(jws.length / PART_CHARS));
  for (let i = 0; i < parts; i++) await kv.set(["snapshot", "parts", version, i], jws.slice(i * PART_CHARS, (i + 1) * PART_CHARS));
  await kv.set(POINTER, JSON.stringify({ version, parts }));
  if (previous && previous.version !== version) {
    for (let i = 0; i < previous.parts; i++) await kv.delete(["snapshot", "parts", previous.version, i]);
  }
}

export async function loadSnapshotJws(kv: Kv): Promise<string | null> {
  const pointer = await readPointer(kv);
  if (!pointer) return null;
  let jws = "";
  for (let i = 0; i < pointer.parts; i++) {
    const part = await kv.get<string>(["snapshot", "parts", pointer.version, i]);
    if (typeof part.value !== "string") return null;
    jws += part.value;
  }
  return jws;
}

async function readPointer(kv: Kv): Promise<{ version: number; parts: number } | null> {
  const entry = await kv.get<string>(POINTER);
  if (typeof entry.value !== "string") return null;
  try {
    const parsed = JSON.parse(entry.value) as { version?: unknown; parts?: unknown };
    return Number.isSafeInteger(parsed.version) && Number.isSafeInteger(parsed.parts) ? { version: parsed.version as number, parts: parsed.parts as number } : null;
  } catch {
    return null;
  }
}
