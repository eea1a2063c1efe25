/**
 * The last-known-good snapshot JWS in Deno KV. A KV value is limited to 64 KiB and a snapshot with
 * many keys is larger, so the JWS is written in parts under its version, then a pointer is switched to
 * it, then the previous version's parts are deleted: a crash at any point leaves a readable snapshot.
 */
import type { Kv } from "../kv/open-kv.ts";

const POINTER = ["snapshot", "pointer"];
const PART_CHARS = 30_000; // ≤ 60 KB even if every character needed two bytes
/** Parts per atomic commit: 12 × 60 KB stays under Deno KV's 800 KB per-commit limit. */
const PARTS_PER_COMMIT = 12;

export async function saveSnapshotJws(kv: Kv, version: number, jws: string): Promise<void> {
  const previous = await readPointer(kv);
  const parts = Math.max(1, Math.ceil(jws.length / PART_CHARS));
  const keys = Array.from({ length: parts }, (_, i) => ["snapshot", "parts", version, i]);
  // Parts and pointer in as few atomic commits as the per-commit size limit allows (a KV commit costs
  // ~0.5 ms of CPU, and in a busy region a snapshot arrives every few seconds); the pointer goes last.
  for (let i = 0; i < parts; i += PARTS_PER_COMMIT) {
    const op = kv.atomic();
    for (let j = i; j < Math.min(parts, i + PARTS_PER_COMMIT); j++) op.set(keys[j]!, jws.slice(j * PART_CHARS, (j + 1) * PART_CHARS));
    if (i + PARTS_PER_COMMIT >= parts) op.set(POINTER, JSON.stringify({ version, parts }));
    await op.commit();
  }
  if (previous && previous.version !== version) {
    const old = Array.from({ length: previous.parts }, (_, i) => ["snapshot", "parts", previous.version, i]);
    for (let i = 0; i < old.length; i += PARTS_PER_COMMIT) {
      const op = kv.atomic();
      for (const key of old.slice(i, i + PARTS_PER_COMMIT)) op.delete(key);
      await op.commit();
    }
  }
}

/** The stored JWS; null when there is none or a part is missing. Throws when a value cannot be decoded (corrupt). */
export async function loadSnapshotJws(kv: Kv): Promise<string | null> {
  const pointer = parsePointer((await kv.get<string>(POINTER)).value);
  if (!pointer) return null;
  let jws = "";
  for (let i = 0; i < pointer.parts; i++) {
    const part = await kv.get<string>(["snapshot", "parts", pointer.version, i]);
    if (typeof part.value !== "string") return null;
    jws += part.value;
  }
  return jws;
}

/** For a save: a pointer that cannot be decoded (corrupt) counts as none, so the save replaces it. */
async function readPointer(kv: Kv): Promise<{ version: number; parts: number } | null> {
  try {
    return parsePointer((await kv.get<string>(POINTER)).value);
  } catch {
    return null;
  }
}

function parsePointer(value: unknown): { version: number; parts: number } | null {
  if (typeof value !== "string") return null;
  try {
    const parsed = JSON.parse(value) as { version?: unknown; parts?: unknown };
    return Number.isSafeInteger(parsed.version) && Number.isSafeInteger(parsed.parts) ? { version: parsed.version as number, parts: parsed.parts as number } : null;
  } catch {
    return null;
  }
}
