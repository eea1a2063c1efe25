/**
 * The last-known-good snapshot JWS in Deno KV. A KV value is limited to 64 KiB and a snapshot with
 * many keys is larger, so the JWS is written in parts under its version, then a pointer is switched to
 * it, then the previous version's parts are deleted: a crash at any point leaves a readable snapshot.
 *
 * Beside it, when the control plane last confirmed that snapshot current (`{version, at}`, its own small
 * key): a restart during an outage reports the snapshot's age from then, not from the restart. It is
 * written with the pointer, and alone at a confirmation: rewriting the snapshot instead would cost
 * ~300 ms of CPU per poll for an 18 MB one, a ~70-byte value ~0.3 ms.
 */
import type { Kv } from "../kv/open-kv.ts";

const POINTER = ["snapshot", "pointer"];
const CONFIRMED = ["snapshot", "confirmed"];
const PART_CHARS = 30_000; // ≤ 60 KB even if every character needed two bytes
/** Parts per atomic commit: 12 × 60 KB stays under Deno KV's 800 KB per-commit limit. */
const PARTS_PER_COMMIT = 12;

/** When the control plane last confirmed the stored snapshot of `version` current (ms since the epoch). */
export interface StoredConfirmation {
  version: number;
  at: number;
}

/** Saves `jws` as the stored snapshot; `confirmedAt` (ms), when given, is saved in the same commit as the pointer. */
export async function saveSnapshotJws(kv: Kv, version: number, jws: string, confirmedAt?: number): Promise<void> {
  const previous = await readPointer(kv);
  const parts = Math.max(1, Math.ceil(jws.length / PART_CHARS));
  const keys = Array.from({ length: parts }, (_, i) => ["snapshot", "parts", version, i]);
  // Parts and pointer in as few atomic commits as the per-commit size limit allows (a KV commit costs
  // ~0.5 ms of CPU, and in a busy region a snapshot arrives every few seconds); the pointer goes last.
  for (let i = 0; i < parts; i += PARTS_PER_COMMIT) {
    const op = kv.atomic();
    for (let j = i; j < Math.min(parts, i + PARTS_PER_COMMIT); j++) op.set(keys[j]!, jws.slice(j * PART_CHARS, (j + 1) * PART_CHARS));
    if (i + PARTS_PER_COMMIT >= parts) {
      op.set(POINTER, JSON.stringify({ version, parts }));
      if (confirmedAt !== undefined) op.set(CONFIRMED, JSON.stringify({ version, at: confirmedAt }));
    }
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

/** Saves when the control plane last confirmed the stored snapshot of `version`, leaving the snapshot as it is. */
export async function saveConfirmedAt(kv: Kv, version: number, at: number): Promise<void> {
  await kv.set(CONFIRMED, JSON.stringify({ version, at }));
}

/**
 * When the control plane last confirmed the stored snapshot; null when not recorded (a store written by
 * a release before this record, or one whose record cannot be decoded: the caller falls back to a
 * conservative time).
 */
export async function loadConfirmedAt(kv: Kv): Promise<StoredConfirmation | null> {
  let value: unknown;
  try {
    value = (await kv.get<string>(CONFIRMED)).value;
  } catch {
    return null;
  }
  if (typeof value !== "string") return null;
  try {
    const parsed = JSON.parse(value) as { version?: unknown; at?: unknown };
    return Number.isSafeInteger(parsed.version) && Number.isSafeInteger(parsed.at) ? { version: parsed.version as number, at: parsed.at as number } : null;
  } catch {
    return null;
  }
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
