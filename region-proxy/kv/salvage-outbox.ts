/**
 * The usage outbox entries that can still be read from a damaged proxy.kv (and its -wal), copied into
 * a fresh KV: usage is money, and a damaged file's events would otherwise never be shipped.
 *
 * Deno KV keeps each entry as one row of its `kv` table: (k, v, v_encoding, ...), k being the key in
 * Deno KV's tuple encoding (a string part is 0x02, its bytes with 0x00 written 0x00 0xff, then 0x00),
 * v the value as stored: v_encoding 3 for bytes (the outbox's zstd-compressed JSON), 1 for a V8-encoded
 * value (older builds' JSON strings). Rows are read with sqlite-raw-rows.ts, page by page.
 *
 * Only ["outbox", k] and ["outbox-quarantine", k] are copied (the snapshot is fetched again from the
 * control plane), bytes unchanged: an entry that does not decode is still copied, and the outbox
 * quarantines and logs it when it opens, as for any unreadable entry. A row may be read twice (a
 * stale page) and copied once; one deleted after it was acknowledged may come back and be sent again,
 * which the control plane ignores (the event id is its idempotency key). Losing one would lose usage.
 */
import type { Kv } from "./open-kv.ts";
import { rawIndexRecords } from "./sqlite-raw-rows.ts";
import { decodeV8 } from "./v8-string-serializer.ts";

const PREFIXES = ["outbox", "outbox-quarantine"];
const BYTES_ENCODING = 3;
const V8_ENCODING = 1;
/** Entries per atomic commit: each at most ~60 KB, under Deno KV's 800 KB per commit (as outbox.ts). */
const COMMIT_ENTRIES = 12;

export interface SalvageCount {
  /** Outbox entries copied (readable or not). */
  entries: number;
  /** Events in the copied outbox entries that decode. */
  events: number;
  /** Quarantined entries copied. */
  quarantined: number;
  /** Why the salvage stopped early (what it copied until then stays copied); null when it read the whole file. */
  error: string | null;
}

/** Copies every outbox and quarantine entry still legible in `damagedPath` into `kv`; never throws. */
export async function salvageOutbox(damagedPath: string, kv: Kv): Promise<SalvageCount> {
  const count: SalvageCount = { entries: 0, events: 0, quarantined: 0, error: null };
  const seen = new Set<string>();
  let batch: { key: [string, string]; value: Uint8Array | string; events: number }[] = [];
  const commit = async () => {
    if (batch.length === 0) return;
    const op = kv.atomic();
    for (const { key, value } of batch) op.set(key, value);
    await op.commit();
    // Counted once stored: what a failed commit held is not salvaged.
    for (const { key, events } of batch) {
      if (key[0] === PREFIXES[0]) {
        count.entries++;
        count.events += events;
      } else count.quarantined++;
    }
    batch = [];
  };
  try {
    for (const record of rawIndexRecords(damagedPath)) {
      const entry = outboxEntry(record);
      if (!entry) continue;
      const id = `${entry.key[0]}\u0000${entry.key[1]}`;
      if (seen.has(id)) continue;
      seen.add(id);
      batch.push({ ...entry, events: entry.key[0] === PREFIXES[0] ? eventsIn(entry.value) : 0 });
      if (batch.length >= COMMIT_ENTRIES) await commit();
    }
    await commit();
  } catch (error) {
    count.error = (error as Error).message;
  }
  return count;
}

/** A kv-table row as an outbox or quarantine entry, or null when it is anything else. */
function outboxEntry(record: unknown[]): { key: [string, string]; value: Uint8Array | string } | null {
  const [k, v, encoding] = record;
  if (!(k instanceof Uint8Array) || !(v instanceof Uint8Array)) return null;
  const key = twoStrings(k);
  if (!key || !PREFIXES.includes(key[0])) return null;
  if (encoding === BYTES_ENCODING) return { key, value: v };
  if (encoding === V8_ENCODING) {
    try {
      const value = decodeV8(v);
      return typeof value === "string" ? { key, value } : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** A Deno KV key made of exactly two strings, or null. */
function twoStrings(bytes: Uint8Array): [string, string] | null {
  const parts: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes[at] !== 0x02) return null;
    const out: number[] = [];
    at++;
    while (true) {
      if (at >= bytes.length) return null;
      const byte = bytes[at++]!;
      if (byte !== 0x00) out.push(byte);
      else if (bytes[at] === 0xff) {
        out.push(0x00);
        at++;
      } else break;
    }
    parts.push(Buffer.from(out).toString("utf8"));
  }
  return parts.length === 2 ? [parts[0]!, parts[1]!] : null;
}

/** Events in an outbox value, as outbox.ts reads it (zstd or plain JSON: an array of events, or one); 0 when it does not read. */
function eventsIn(value: Uint8Array | string): number {
  try {
    const text = typeof value === "string" ? value : new TextDecoder().decode(value[0] === 0x28 && value[1] === 0xb5 ? Bun.zstdDecompressSync(value) : value);
    const parsed: unknown = JSON.parse(text);
    const isEvent = (event: unknown) => typeof (event as { eventId?: unknown } | null)?.eventId === "string";
    if (Array.isArray(parsed)) return parsed.every(isEvent) ? parsed.length : 0;
    return isEvent(parsed) ? 1 : 0;
  } catch {
    return 0;
  }
}
