/**
 * The usage outbox in Deno KV. An event leaves only when the control plane acknowledged its id.
 *
 * Writes are group-committed: an append waits at most `maxDelayMs` (default 25 ms, or until
 * `groupEvents` are queued) for company, then one atomic commit stores the group, usually as one KV
 * entry (a zstd-compressed JSON array, cut in halves until each part fits a KV value; keyed by arrival
 * time and a sequence, so entries go out oldest first); appends that arrive during a commit join the
 * next group. Measured here, a KV commit costs 0.35-1 ms of CPU whatever it carries, so one commit per
 * event would cap the proxy near 1,500 events/s; grouped, it is at most 40 commits a second, whatever
 * the load. The proxy's outbox thread groups on the request side instead (100 ms or 2,000 events,
 * outbox-thread.ts) and passes `maxDelayMs: 0`: each batch it hands over is committed at once.
 *
 * Durability: `append` resolves only once its event is committed, so nothing is acknowledged from
 * memory and a graceful stop (which waits for in-flight settles) loses nothing. The crash-loss window:
 * the event is appended after the client's answer is out, so a crash before its commit finishes loses
 * it; the grouping widens that window by at most `maxDelayMs` (in the proxy, by the request side's
 * 100 ms). Acknowledged events leave KV once per
 * flush round (`forget`, then `commitRemovals`); a crash in between makes them go out again, which the
 * control plane ignores (the event id is the idempotency key).
 *
 * Reading back: committed entries are also kept in memory (up to MIRROR_EVENTS events, as the JSON
 * already written), so the flusher sends them without reading, decoding and re-encoding them from KV.
 * KV stays the source of truth: the mirror is used only while it is known to hold every stored entry
 * ("synced"); after a restart or an overflow (control plane down for long) batches come from KV until
 * a read finds nothing the mirror lacks, and whenever the mirror is empty KV is read again, so an entry
 * it missed is found at the latest when the flusher has caught up.
 *
 * How far it has drained (`oldestStoredAt`, which the snapshot poll reports: snapshot/loop.ts): the time
 * in the key of the oldest entry holding events not yet acknowledged, read from the mirror's first entry;
 * for entries outside it (stored before a restart, or past an overflow) from a lower bound taken when
 * KV was read (at open, at each peek of KV, after each commit of removals while such entries may remain:
 * one listed entry), never later than the truth. A key's time is its commit's, ~100 ms at most after
 * the outbox thread took its events (outbox-thread.ts counts them by their own time until then).
 *
 * Entries written by older builds (a JSON string holding one event object, or an array) are read the same way.
 *
 * Unreadable entries (a value that does not decompress or parse: a bad sector, a torn page, a newer
 * format after a downgrade) can never be sent, but they are usage all the same: each is moved, bytes
 * unchanged, from ["outbox", k] to [QUARANTINE_PREFIX, k] (so it stops blocking the queue), logged with
 * its key, its size and the event ids still legible in it, and counted (`corruptEntries`, served by
 * /health; the count at open includes what earlier runs quarantined). Nothing deletes quarantined
 * entries: an operator can read them back from the KV file.
 *
 * Bound: with `maxStoredEvents` (UsageOutbox.open) the outbox stores at most that many events, so a long
 * control-plane outage cannot fill the disk. The count is taken once, when the outbox opens (one scan of
 * KV), then kept: appends add what they take (at once, so queued events count), a failed commit gives its
 * places back, and committed removals subtract what they deleted. Past the cap the NEWEST events are
 * refused, never the stored ones (older spend, already owed): `appendMany` resolves with how many of its
 * events it refused (always its last ones), and the caller must log each of them.
 */
import type { KvKey } from "@deno/kv";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { Kv } from "../kv/open-kv.ts";
import { MAX_USAGE_BATCH } from "../../shared/internal-api.ts";

const PREFIX = "outbox";
/** Where unreadable entries are moved, under their original key's second part. */
export const QUARANTINE_PREFIX = "outbox-quarantine";
/**
 * Compressed bytes per entry at most: under Deno KV's 64 KiB value limit, and 12 of them under its
 * 800 KB commit limit. Usage events repeat the same keys and ids, so zstd shrinks a group ~17x and a
 * whole group of 500 (~350 KB of JSON) usually fits in one entry: one KV mutation, and later one
 * delete, per group instead of one per 20 KB (measured here: the KV client's protobuf encoding and
 * SQLite's writer cost per mutation, more than per byte).
 */
const MAX_ENTRY_BYTES = 60_000;
/** Events per entry at most: one entry never holds more than one control-plane batch. */
const ENTRY_EVENTS = MAX_USAGE_BATCH;
/** zstd level 1: ~0.4 us of CPU per event. */
const ZSTD_LEVEL = 1;
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
/** Mutations per commit (each at most one entry of <= 60 KB): under Deno KV's 800 KB per-commit limit. */
const COMMIT_MUTATIONS = 12;
/** Deletes per commit: they carry no value, so only Deno KV's 1,000-mutation limit applies. */
const DELETES_PER_COMMIT = 500;
/** Events the in-memory mirror holds at most (about 0.5 KB each). */
const MIRROR_EVENTS = 20_000;

export interface OutboxOptions {
  /** Longest an event waits in memory for others to share its commit (default 25 ms; 0 = commit at once). */
  maxDelayMs?: number;
  /** A group this large is committed without waiting out the delay (default MAX_USAGE_BATCH, 500). */
  groupEvents?: number;
  /** Events stored at most (queued ones included); past it new events are refused. Unset = no bound. Needs UsageOutbox.open. */
  maxStoredEvents?: number;
  /** Told the stored count after each commit of acknowledged removals (the outbox thread reports it for /health). */
  onRemoved?: (storedEvents: number) => void;
  /** Told the number of quarantined entries each time one more is moved to quarantine. */
  onCorrupt?: (corruptEntries: number) => void;
  /** Where an unreadable entry is reported (default: stderr). */
  log?: (line: string) => void;
}

export interface PendingEvent {
  /** The KV entry holding the event (shared by the events of one group commit). */
  key: [string, string];
  eventId: string;
  /** The event as JSON, exactly as stored. */
  json: string;
  /** How many events that entry held when read: acking all of them deletes it without reading it again. */
  entryEvents: number;
}

interface StoredEvent {
  eventId: string;
  json: string;
}

interface QueuedWrite extends StoredEvent {
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Removal {
  key: [string, string];
  rest: StoredEvent[] | null;
  removed: number;
}

interface MirrorEntry {
  key: [string, string];
  events: StoredEvent[];
}

export class UsageOutbox {
  private queued: QueuedWrite[] = [];
  private writing = false;
  /** Ends the current wait for company early (a full group); null while not waiting. */
  private wake: (() => void) | null = null;
  private sequence = 0;
  /** Committed entries not yet removed, in commit (= key) order. */
  private mirror = new Map<string, MirrorEntry>();
  private mirrorEvents = 0;
  /** Acknowledged entries not yet deleted (or rewritten) in KV, by key: rest null = delete; `removed` = events that leave KV with it. */
  private removals = new Map<string, Removal>();
  /** True while the mirror holds every entry stored in KV. */
  private synced = false;
  private readonly maxDelayMs: number;
  private readonly groupEvents: number;
  private readonly maxStored: number;
  private readonly onRemoved: ((storedEvents: number) => void) | undefined;
  private readonly onCorrupt: ((corruptEntries: number) => void) | undefined;
  private readonly log: (line: string) => void;
  /** Entries in quarantine: counted at open (UsageOutbox.open), plus those moved there since. */
  private quarantined = 0;
  /** Events stored or queued to be (see "Bound" above); null until counted (UsageOutbox.open). */
  private stored: number | null = null;
  /** No later than the key time of any stored, unacknowledged entry missing from the mirror; null when none is. */
  private unmirroredSince: number | null = null;
  /** Bumped when an entry is committed past the mirror: a read of KV begun before it must not clear `unmirroredSince`. */
  private overflows = 0;
  /** Date.now() as `open` began, and the newest key time it found (storedAt); no clamp without `open`. */
  private openedAt = Infinity;
  private keyedAtOpenUpTo = -Infinity;
  /**
   * This run's stored entries keyed no later than `keyedAtOpenUpTo` (written while the clock was behind an
   * earlier run's keys): aged from their own key, never clamped. Only entries written in that window and
   * not yet deleted: empty in the usual case, a few thousand keys after a step of minutes.
   */
  private ownKeysInOpenRange = new Set<string>();

  constructor(
    private readonly kv: Kv,
    options: OutboxOptions = {},
  ) {
    this.maxDelayMs = options.maxDelayMs ?? 25;
    this.groupEvents = options.groupEvents ?? MAX_USAGE_BATCH;
    this.maxStored = options.maxStoredEvents ?? Infinity;
    this.onRemoved = options.onRemoved;
    this.onCorrupt = options.onCorrupt;
    this.log = options.log ?? ((line) => console.error(line));
  }

  /**
   * An outbox that knows how many events KV holds (counted once, now): the only way to get a bounded one.
   *
   * @example const outbox = await UsageOutbox.open(kv, { maxStoredEvents: 1_000_000 });
   */
  static async open(kv: Kv, options: OutboxOptions = {}): Promise<UsageOutbox> {
    const outbox = new UsageOutbox(kv, options);
    const openedAt = Date.now();
    let stored = 0;
    const unreadable: UnreadableEntry[] = [];
    let first: [string, string] | null = null;
    let last: [string, string] | null = null;
    for await (const entry of kv.list<StoredValue>({ prefix: [PREFIX] })) {
      first ??= entry.key as [string, string];
      last = entry.key as [string, string];
      const read = readEntry(entry.value);
      if (read.events) stored += read.events.length;
      else unreadable.push({ key: entry.key as [string, string], value: entry.value, versionstamp: entry.versionstamp, ...read });
    }
    for await (const _ of kv.list({ prefix: [QUARANTINE_PREFIX] })) outbox.quarantined++;
    // Listed in key order: the last key is the newest.
    if (last) {
      outbox.openedAt = openedAt;
      outbox.keyedAtOpenUpTo = keyTime(last);
    }
    if (first) outbox.unmirroredSince = outbox.storedAt(first);
    outbox.stored = stored;
    await outbox.quarantine(unreadable);
    return outbox;
  }

  /** Unreadable entries moved to quarantine (see above): those found since open, plus those already there at open. */
  corruptEntries(): number {
    return this.quarantined;
  }

  /**
   * Moves unreadable entries to [QUARANTINE_PREFIX, k], bytes unchanged (one atomic commit each, made
   * only if the entry did not change meanwhile), and logs and counts each. One that cannot be moved now
   * stays where it is (and is tried again at the next read that finds it).
   */
  private async quarantine(entries: UnreadableEntry[]): Promise<void> {
    for (const { key, value, versionstamp, why, text } of entries) {
      const bytes = typeof value === "string" ? utf8.encode(value).length : value.length;
      try {
        const result = await this.kv.atomic().check({ key, versionstamp }).set([QUARANTINE_PREFIX, key[1]], value).delete(key).commit();
        if (!result.ok) continue;
      } catch (error) {
        this.log(`usage outbox: entry ${key[1]} (${bytes} bytes) is unreadable (${why}) and could not be moved to quarantine (${(error as Error).message}); it stays in the outbox`);
        continue;
      }
      this.quarantined++;
      this.ownKeysInOpenRange.delete(key[1]);
      const legible = text === undefined ? [] : eventIdsIn(text);
      this.log(
        `usage outbox: entry ${key[1]} (${bytes} bytes) is unreadable (${why}); its events cannot be sent: moved to [${QUARANTINE_PREFIX}, ${key[1]}] with its bytes unchanged. ` +
          (legible.length > 0 ? `Event ids legible in it (${legible.length}): ${legible.join(", ")}` : "No event id is legible in it"),
      );
      this.onCorrupt?.(this.quarantined);
    }
  }

  /**
   * When (Date.now() of its commit) the oldest stored entry still holding events the control plane has
   * not acknowledged was written, or a time before it; null when every stored event is acknowledged.
   */
  oldestStoredAt(): number | null {
    const first = this.mirror.values().next().value as MirrorEntry | undefined;
    const mirrored = first ? this.storedAt(first.key) : null;
    if (this.unmirroredSince === null) return mirrored;
    return mirrored === null ? this.unmirroredSince : Math.min(mirrored, this.unmirroredSince);
  }

  /**
   * When the entry was committed, or a time before it: its key's time (nextKey), but an entry stored
   * before the open (a key no later than the newest found then, not written by this run) counts from the
   * open at the latest: an earlier run's clock that was ahead (NTP corrects it at the restart) must not
   * make its backlog look younger than this run, or unshipped at all (outbox-thread.ts reports age 0 as
   * none). This run's entries age from their own key, even those keyed among the earlier run's after
   * such a step (`ownKeysInOpenRange`): clamped, they would read as waiting since the open.
   */
  private storedAt(key: [string, string]): number {
    const time = keyTime(key);
    return time <= this.keyedAtOpenUpTo && !this.ownKeysInOpenRange.has(key[1]) ? Math.min(time, this.openedAt) : time;
  }

  /** Re-reads the oldest entry's time from KV (one listed entry) while entries outside the mirror may remain. */
  private async refreshUnmirrored(): Promise<void> {
    if (this.unmirroredSince === null) return;
    // The mirror holds every stored entry: none is outside it.
    if (this.synced) return void (this.unmirroredSince = null);
    const overflows = this.overflows;
    let oldest: number | null = null;
    for await (const entry of this.kv.list({ prefix: [PREFIX] }, { limit: 1, batchSize: 1 })) oldest = this.storedAt(entry.key as [string, string]);
    if (overflows === this.overflows) this.unmirroredSince = oldest;
  }

  /** Events stored (queued ones included), as counted at open and kept since; null when not opened with `open`. */
  storedEvents(): number | null {
    return this.stored;
  }

  /** Why the outbox takes no more events now (null when it does). */
  private full(): string | null {
    return this.stored !== null && this.stored >= this.maxStored ? `the usage outbox holds ${this.stored} events, its limit (USAGE_OUTBOX_MAX_EVENTS), until the control plane takes them; this new one is refused` : null;
  }

  /** Durably appends one event: resolves once the commit that carries it is done; rejects when it is refused (the outbox is full). */
  async append(event: UsageEvent): Promise<void> {
    const why = this.full();
    if (why !== null) throw new Error(why);
    await this.appendMany([event.eventId], [JSON.stringify(event)]);
  }

  /**
   * Appends events already encoded (ids[i] is the id of jsons[i]): one promise for all of them,
   * resolved once every one taken is committed (they may land in different commits), rejected by the
   * first commit that fails. It resolves with how many were refused because the outbox is full: always
   * the last ones (their ids are ids.slice(-refused)), and never stored; the caller logs them. The
   * outbox thread appends whole batches this way, with no object per event beyond its queue slot.
   */
  appendMany(ids: string[], jsons: string[]): Promise<number> {
    if (this.maxStored !== Infinity && this.stored === null) return Promise.reject(new Error("a bounded usage outbox must be opened with UsageOutbox.open (it counts what is stored)"));
    const taken = this.stored === null ? ids.length : Math.max(0, Math.min(ids.length, this.maxStored - this.stored));
    const refused = ids.length - taken;
    if (taken === 0) return Promise.resolve(refused);
    if (this.stored !== null) this.stored += taken;
    return new Promise<number>((resolve, reject) => {
      let remaining = taken;
      const done = () => {
        if (--remaining === 0) resolve(refused);
      };
      for (let i = 0; i < taken; i++) this.queued.push({ json: jsons[i]!, eventId: ids[i]!, resolve: done, reject });
      if (!this.writing) {
        this.writing = true;
        void this.drain();
      } else if (this.wake && this.queued.length >= this.groupEvents) this.wake();
    });
  }

  /**
   * Commits queued events group by group until none is left. A group is stored as few entries as fit
   * (see encodeEntries), written COMMIT_MUTATIONS entries per atomic commit; a failed commit fails only its events.
   */
  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      if (this.queued.length < this.groupEvents) await this.waitForCompany();
      const group = this.queued.splice(0, this.groupEvents);
      const entries = encodeEntries(group);
      for (let i = 0; i < entries.length; i += COMMIT_MUTATIONS) {
        const commit = entries.slice(i, i + COMMIT_MUTATIONS).map(({ events, value }) => ({ key: this.nextKey(events[0]!.eventId), events, value }));
        try {
          const op = this.kv.atomic();
          for (const entry of commit) op.set(entry.key, entry.value);
          await op.commit();
          for (const entry of commit) if (keyTime(entry.key) <= this.keyedAtOpenUpTo) this.ownKeysInOpenRange.add(entry.key[1]);
          for (const entry of commit) this.remember(entry.key, entry.events);
          for (const entry of commit) for (const write of entry.events) write.resolve();
        } catch (error) {
          for (const entry of commit) for (const write of entry.events) write.reject(error);
          // Not stored: their places are free again.
          if (this.stored !== null) for (const entry of commit) this.stored -= entry.events.length;
        }
      }
    }
    this.writing = false;
  }

  /** Arrival time, then a per-outbox sequence (entries of one commit share the millisecond), then the first event id. */
  private nextKey(firstEventId: string): [string, string] {
    this.sequence = (this.sequence + 1) % 1_000_000;
    return [PREFIX, `${String(Date.now()).padStart(15, "0")}:${String(this.sequence).padStart(6, "0")}:${firstEventId}`];
  }

  /** Mirrors a committed entry; on overflow the mirror is dropped (and batches come from KV again). */
  private remember(key: [string, string], writes: QueuedWrite[]): void {
    if (this.mirrorEvents + writes.length > MIRROR_EVENTS) {
      const first = this.mirror.values().next().value as MirrorEntry | undefined;
      this.unmirroredSince = Math.min(this.unmirroredSince ?? Infinity, first ? this.storedAt(first.key) : Infinity, this.storedAt(key));
      this.overflows++;
      this.mirror.clear();
      this.mirrorEvents = 0;
      this.synced = false;
      return;
    }
    // The queue slots themselves (no copy per event): they hold only the id, the JSON and the batch's callbacks.
    this.mirror.set(key[1], { key, events: writes });
    this.mirrorEvents += writes.length;
  }

  /** Waits up to maxDelayMs, or until a full group is queued (a microtask hop when the delay is 0). */
  private async waitForCompany(): Promise<void> {
    if (this.maxDelayMs <= 0) return await Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(resolve, this.maxDelayMs);
    });
    clearTimeout(timer);
    this.wake = null;
  }

  /** The oldest events, at most `limit`, whole entries first (a lone entry larger than `limit` is cut). */
  async peek(limit: number): Promise<PendingEvent[]> {
    // An empty mirror reads KV: cheap when KV is empty too, and it finds any entry the mirror missed.
    return this.synced && this.mirror.size > 0 ? this.peekMirror(limit) : this.peekKv(limit);
  }

  private peekMirror(limit: number): PendingEvent[] {
    const out: PendingEvent[] = [];
    for (const { key, events } of this.mirror.values()) {
      if (out.length > 0 && out.length + events.length > limit) break;
      for (const event of events.slice(0, limit - out.length)) out.push({ key, eventId: event.eventId, json: event.json, entryEvents: events.length });
      if (out.length >= limit) break;
    }
    return out;
  }

  private async peekKv(limit: number): Promise<PendingEvent[]> {
    // KV must not list what was already acknowledged.
    await this.commitRemovals();
    const overflows = this.overflows;
    let oldest: number | null = null;
    const out: PendingEvent[] = [];
    const unreadable: UnreadableEntry[] = [];
    let complete = true;
    let allMirrored = true;
    // Every entry holds at least one event, so `limit` entries are always enough.
    // Small read batches: entries are up to 30k characters and only the first few are usually needed.
    for await (const entry of this.kv.list<StoredValue>({ prefix: [PREFIX] }, { limit, batchSize: 16 })) {
      const key = entry.key as [string, string];
      oldest ??= this.storedAt(key);
      const read = readEntry(entry.value);
      const events = read.events;
      if (!events) {
        // Unreadable: it can never be sent, so it must not block the queue; quarantined (never deleted) below.
        unreadable.push({ key, value: entry.value, versionstamp: entry.versionstamp, why: read.why, text: read.text });
        continue;
      }
      if (!this.mirror.has(key[1])) allMirrored = false;
      if (out.length > 0 && out.length + events.length > limit) {
        complete = false;
        break;
      }
      for (const event of events.slice(0, limit - out.length)) out.push({ key, eventId: event.eventId, json: JSON.stringify(event), entryEvents: events.length });
      if (out.length >= limit) {
        complete = false;
        break;
      }
    }
    await this.quarantine(unreadable);
    // Every entry read is mirrored, and either all of KV was read or its oldest entry is mirrored (entries
    // the mirror lacks predate it: an earlier process, or an overflow): from now on the mirror is enough.
    this.synced = allMirrored && (complete || out.length > 0);
    // The first key listed is the oldest stored (unreadable ones included: quarantined since, so an earlier time).
    if (overflows === this.overflows) this.unmirroredSince = this.synced ? null : oldest;
    return out;
  }

  /** Removes acknowledged events now: `forget` then `commitRemovals`. */
  async remove(acked: PendingEvent[]): Promise<void> {
    await this.forget(acked);
    await this.commitRemovals();
  }

  /**
   * Takes acknowledged events out of what `peek` returns at once, and queues their removal from KV for
   * `commitRemovals` (the flusher commits once per round instead of once per batch). Until then a crash
   * leaves them in KV and they are sent again, which the control plane ignores (the event id is the
   * idempotency key). An entry left empty is deleted, one with events left is rewritten without the others.
   */
  async forget(acked: PendingEvent[]): Promise<void> {
    const byEntry = new Map<string, { key: [string, string]; ids: Set<string>; entryEvents: number }>();
    for (const { key, eventId, entryEvents } of acked) {
      const group = byEntry.get(key[1]) ?? { key, ids: new Set<string>(), entryEvents };
      group.ids.add(eventId);
      byEntry.set(key[1], group);
    }
    for (const { key, ids, entryEvents } of byEntry.values()) {
      const pending = this.removals.get(key[1]);
      // Already on its way out whole: nothing more leaves with it.
      if (pending && pending.rest === null) continue;
      // The usual case: every event of the entry was acknowledged (entries are never appended to).
      const held = this.mirror.get(key[1]);
      let rest: StoredEvent[] | null = null;
      // How many events the entry holds now (for the stored count).
      let holds = pending?.rest?.length ?? held?.events.length ?? entryEvents;
      if (ids.size < entryEvents || (held && held.events.length > ids.size) || pending) {
        // Only the flusher removes and appends never touch an existing entry, so the mirror or this read is current.
        let stored = pending?.rest ?? held?.events;
        if (!stored) {
          const entry = await this.kv.get<StoredValue>(key);
          if (entry.value === null) continue;
          const events = readEntry(entry.value).events;
          // Unreadable now: left for the next read of KV to quarantine, never deleted here.
          if (!events) continue;
          stored = events.map((event) => ({ eventId: event.eventId, json: JSON.stringify(event) }));
          holds = stored.length;
        }
        const left = stored.filter((event) => !ids.has(event.eventId));
        rest = left.length > 0 ? left : null;
      }
      this.removals.set(key[1], { key, rest, removed: (pending?.removed ?? 0) + holds - (rest?.length ?? 0) });
      if (held) {
        this.mirrorEvents -= held.events.length;
        if (rest === null) this.mirror.delete(key[1]);
        else {
          held.events = rest;
          this.mirrorEvents += rest.length;
        }
      }
    }
    // Under sustained load a flush round may not end for long: KV must not keep everything it acknowledged.
    if (this.removals.size >= DELETES_PER_COMMIT) await this.commitRemovals();
  }

  /** Writes the queued removals to KV (deletes DELETES_PER_COMMIT, rewrites COMMIT_MUTATIONS per commit); what fails stays queued. */
  async commitRemovals(): Promise<void> {
    if (this.removals.size === 0) return;
    const changes = [...this.removals.values()];
    this.removals.clear();
    const deletes = changes.filter((c) => c.rest === null);
    const rewrites = changes.filter((c) => c.rest !== null);
    const commits: (typeof changes)[] = [];
    for (let i = 0; i < deletes.length; i += DELETES_PER_COMMIT) commits.push(deletes.slice(i, i + DELETES_PER_COMMIT));
    for (let i = 0; i < rewrites.length; i += COMMIT_MUTATIONS) commits.push(rewrites.slice(i, i + COMMIT_MUTATIONS));
    for (const [n, commit] of commits.entries()) {
      try {
        await this.writeChanges(commit);
        for (const change of commit) if (change.rest === null) this.ownKeysInOpenRange.delete(change.key[1]);
        // Before the count goes out (onRemoved): the outbox thread reports both.
        await this.refreshUnmirrored();
        if (this.stored !== null) {
          for (const change of commit) this.stored -= change.removed;
          this.onRemoved?.(this.stored);
        }
      } catch (error) {
        // Keep what was not written (unless a newer change for the same entry was queued meanwhile).
        for (const change of commits.slice(n).flat()) if (!this.removals.has(change.key[1])) this.removals.set(change.key[1], change);
        throw error;
      }
    }
  }

  /** Deletes (rest null) or rewrites entries in one atomic commit. */
  private async writeChanges(changes: { key: KvKey; rest: StoredEvent[] | null }[]): Promise<void> {
    const op = this.kv.atomic();
    for (const { key, rest } of changes) {
      if (rest === null) op.delete(key);
      else op.set(key, encodeEntry(rest));
    }
    await op.commit();
  }

  /** Events stored and readable (not the entries; unreadable ones are counted by `corruptEntries` once found). */
  async size(): Promise<number> {
    let n = 0;
    for await (const entry of this.kv.list<StoredValue>({ prefix: [PREFIX] })) n += readEntry(entry.value).events?.length ?? 0;
    return n;
  }
}

/** An entry's value: the events' JSON as one array. */
function encodeEntry(events: StoredEvent[]): Uint8Array {
  return Bun.zstdCompressSync(utf8.encode(`[${events.map((event) => event.json).join(",")}]`), { level: ZSTD_LEVEL });
}

/**
 * A group as entries: one when it compresses under MAX_ENTRY_BYTES (the usual case), otherwise cut in
 * halves until every part does (a single event always fits: usage events are a few hundred bytes).
 */
function encodeEntries(group: QueuedWrite[]): { events: QueuedWrite[]; value: Uint8Array }[] {
  if (group.length > ENTRY_EVENTS) return [...encodeEntries(group.slice(0, ENTRY_EVENTS)), ...encodeEntries(group.slice(ENTRY_EVENTS))];
  const value = encodeEntry(group);
  if (value.length <= MAX_ENTRY_BYTES || group.length === 1) return [{ events: group, value }];
  const half = Math.ceil(group.length / 2);
  return [...encodeEntries(group.slice(0, half)), ...encodeEntries(group.slice(half))];
}

/** The time in an entry's key (Date.now() of its commit: nextKey); 0, the earliest, for a key it cannot read. */
function keyTime(key: [string, string]): number {
  const time = Number(key[1].slice(0, 15));
  return Number.isSafeInteger(time) ? time : 0;
}

const isZstd = (bytes: Uint8Array) => ZSTD_MAGIC.every((byte, i) => bytes[i] === byte);

/** A stored entry: zstd-compressed UTF-8 JSON; builds before stored plain UTF-8 JSON, or JSON strings, read the same way. */
type StoredValue = Uint8Array | string;

/** An entry that could not be read, as found: moved to quarantine as is. */
interface UnreadableEntry {
  key: [string, string];
  value: StoredValue;
  versionstamp: string;
  why: string;
  /** The text, when it decoded but did not parse (event ids may still be legible in it). */
  text?: string;
}

/**
 * An entry's events: a JSON array of events, or (older builds) one event object. When unreadable,
 * why, and the text when there is one (it decompressed but did not parse).
 */
function readEntry(value: StoredValue): { events: UsageEvent[]; why?: undefined; text?: undefined } | { events: null; why: string; text?: string } {
  let text: string;
  try {
    text = typeof value === "string" ? value : fromUtf8.decode(isZstd(value) ? Bun.zstdDecompressSync(value) : value);
  } catch (error) {
    return { events: null, why: `does not decompress: ${(error as Error).message}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { events: null, why: `not JSON: ${(error as Error).message}`, text };
  }
  if (Array.isArray(parsed) && parsed.every(isEventLike)) return { events: parsed as UsageEvent[] };
  if (isEventLike(parsed)) return { events: [parsed as UsageEvent] };
  return { events: null, why: "JSON that is not an event or an array of events", text };
}

const isEventLike = (value: unknown) => typeof value === "object" && value !== null && typeof (value as { eventId?: unknown }).eventId === "string";

/** The event ids legible in an entry's text that does not parse (each once, in order). */
function eventIdsIn(text: string): string[] {
  const ids = new Set<string>();
  for (const match of text.matchAll(/"eventId"\s*:\s*"((?:[^"\\]|\\.)*)"/g)) ids.add(match[1]!);
  return [...ids];
}
