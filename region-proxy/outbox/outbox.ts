/**
 * The usage outbox in Deno KV. An event leaves only when the control plane acknowledged its id.
 *
 * Writes are group-committed: appends that arrive while a commit is running wait for the next one,
 * and that one stores them all as ONE KV entry (a JSON array, keyed by arrival time then the first
 * event id, so entries go out oldest first). Durability is unchanged — `append` resolves only once its
 * event is committed, nothing is acknowledged from memory — but under load one SQLite commit and one
 * entry carry many events instead of one each (a KV write costs about as much for 1 event as for 50).
 * An idle proxy commits a lone event at once: group commit adds no delay of its own.
 *
 * Entries written by older builds hold a single event object; they are read the same way.
 */
import type { KvKey } from "@deno/kv";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { Kv } from "../kv/open-kv.ts";

const PREFIX = "outbox";
/**
 * Characters of JSON per entry. A KV value is limited to 64 KiB and a string with any character
 * above U+00FF is stored as UTF-16 (2 bytes a character), so 30k characters always fit.
 */
const ENTRY_CHARS = 30_000;
/** Mutations per delete/rewrite commit (each at most one entry), under Deno KV's per-commit size limit. */
const COMMIT_MUTATIONS = 8;

export interface PendingEvent {
  /** The KV entry holding the event (shared by the events of one group commit). */
  key: [string, string];
  event: UsageEvent;
}

interface QueuedWrite {
  json: string;
  eventId: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class UsageOutbox {
  private queued: QueuedWrite[] = [];
  private writing = false;

  constructor(private readonly kv: Kv) {}

  /** Durably appends one event: resolves once the commit that carries it is done (the request path does not await it). */
  append(event: UsageEvent): Promise<void> {
    const json = JSON.stringify(event);
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ json, eventId: event.eventId, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        void this.drain();
      }
    });
  }

  /** Commits queued events, one entry per commit, until none is left; a failed commit fails only its own events. */
  private async drain(): Promise<void> {
    // One microtask hop first, so appends made in the same tick share the first commit.
    await Promise.resolve();
    while (this.queued.length > 0) {
      let chars = this.queued[0]!.json.length;
      let n = 1;
      while (n < this.queued.length && chars + this.queued[n]!.json.length + 1 <= ENTRY_CHARS) chars += this.queued[n++]!.json.length + 1;
      const batch = this.queued.splice(0, n);
      const key: [string, string] = [PREFIX, `${String(Date.now()).padStart(15, "0")}:${batch[0]!.eventId}`];
      try {
        await this.kv.set(key, `[${batch.map((w) => w.json).join(",")}]`);
        for (const write of batch) write.resolve();
      } catch (error) {
        for (const write of batch) write.reject(error);
      }
    }
    this.writing = false;
  }

  /** The oldest events, at most `limit`. */
  async peek(limit: number): Promise<PendingEvent[]> {
    const out: PendingEvent[] = [];
    const unreadable: KvKey[] = [];
    // Every entry holds at least one event, so `limit` entries are always enough.
    for await (const entry of this.kv.list<string>({ prefix: [PREFIX] }, { limit })) {
      const events = parseEntry(entry.value);
      if (!events) {
        // Unreadable (a torn write from an old build?): it can never be sent, so it must not block the queue.
        unreadable.push(entry.key);
        continue;
      }
      for (const event of events) {
        if (out.length === limit) break;
        out.push({ key: entry.key as [string, string], event });
      }
      if (out.length === limit) break;
    }
    if (unreadable.length > 0) await this.commitAll(unreadable.map((key) => ({ key, rest: null })));
    return out;
  }

  /** Removes acknowledged events: an entry left empty is deleted, one with events left is rewritten without the others. */
  async remove(acked: PendingEvent[]): Promise<void> {
    const byEntry = new Map<string, { key: [string, string]; ids: Set<string> }>();
    for (const { key, event } of acked) {
      const group = byEntry.get(key[1]) ?? { key, ids: new Set<string>() };
      group.ids.add(event.eventId);
      byEntry.set(key[1], group);
    }
    const changes: { key: KvKey; rest: UsageEvent[] | null }[] = [];
    for (const { key, ids } of byEntry.values()) {
      // Only the flusher removes and appends never touch an existing entry, so this read is current.
      const stored = await this.kv.get<string>(key);
      if (stored.value === null) continue;
      const rest = (parseEntry(stored.value) ?? []).filter((event) => !ids.has(event.eventId));
      changes.push({ key, rest: rest.length > 0 ? rest : null });
    }
    await this.commitAll(changes);
  }

  /** Deletes (rest null) or rewrites entries, a few per atomic commit. */
  private async commitAll(changes: { key: KvKey; rest: UsageEvent[] | null }[]): Promise<void> {
    for (let i = 0; i < changes.length; i += COMMIT_MUTATIONS) {
      const op = this.kv.atomic();
      for (const { key, rest } of changes.slice(i, i + COMMIT_MUTATIONS)) {
        if (rest === null) op.delete(key);
        else op.set(key, JSON.stringify(rest));
      }
      await op.commit();
    }
  }

  /** Events stored (not the entries). */
  async size(): Promise<number> {
    let n = 0;
    for await (const entry of this.kv.list<string>({ prefix: [PREFIX] })) n += parseEntry(entry.value)?.length ?? 0;
    return n;
  }
}

/** An entry's events: a JSON array of events, or (older builds) one event object; null when unreadable. */
function parseEntry(value: string): UsageEvent[] | null {
  try {
    const parsed: unknown = JSON.parse(value);
    if (Array.isArray(parsed)) return parsed as UsageEvent[];
    return typeof parsed === "object" && parsed !== null ? [parsed as UsageEvent] : null;
  } catch {
    return null;
  }
}
