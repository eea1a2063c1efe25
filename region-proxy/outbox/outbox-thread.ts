/**
 * The request side of the usage outbox: `append` encodes the event once and hands it to the outbox
 * thread (outbox-worker.ts), which group-commits it to Deno KV and ships it to the control plane.
 * The request path hands events over with `record` and does not wait: a graceful stop loses nothing
 * because `stop` commits every event handed over before it ends the thread (one being started to
 * replace a dead thread is waited for, given those events and stopped), and an event that cannot
 * be written is logged here, with its request and event ids (a batch whose commit failed: one line,
 * naming the first 20). `append` also returns a promise that
 * resolves once the event is committed, exactly as UsageOutbox.append does.
 *
 * Events travel in batches, every POST_EVERY_MS or at POST_EVENTS, and the thread commits each batch
 * as it arrives: this window is the outbox's one group commit. A KV commit costs ~1 ms of CPU across
 * the threads it wakes whatever it carries (measured here: ~0.35 ms back to back, ~1 ms when commits
 * are spaced out, as the KV client's and SQLite's threads wake each time), and a postMessage wakes the
 * thread too; so their number per second, not the events, is what the outbox costs at low and medium
 * load. The window is also the crash-loss window: an event not yet committed is lost if the process
 * dies (a graceful stop loses nothing). Until the thread confirms a batch, its events stay here: if
 * the thread dies they are sent again to a new one (an event committed twice is harmless: the event
 * id is the control plane's idempotency key).
 *
 * The outbox stores at most `maxStoredEvents` (USAGE_OUTBOX_MAX_EVENTS): the thread checks it as it
 * commits, refuses the newest events past it (the stored ones are older spend, already owed) and says
 * which; each is logged here with its ids, like any event that cannot be written, and counted.
 * `status()` reports what is stored and what was dropped (GET /health), so an operator sees the
 * backlog grow during a control-plane outage long before it reaches the cap. It also says whether the
 * thread is up, how often it was restarted, and how many events it has not confirmed and for how long:
 * a thread that dies on every batch keeps restarting while usage piles up in memory only, and /health
 * reports that as degraded long before MAX_UNCONFIRMED_EVENTS refuses any.
 *
 * One outbox per data dir: the start takes the dir's outbox lock (kv/data-dir-lock.ts) and fails,
 * naming the dir, while another live process or outbox holds it; `stop` releases it. The lock is held
 * here, not by the thread, so a thread that dies and is replaced keeps it.
 *
 * @example const outbox = await startOutboxThread({ dataDir, controlPlaneUrl, regionToken, proxyId, flushIntervalMs: 1000 }, log);
 *          outbox.record(event); await outbox.append(other); await outbox.stop();
 */
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { lockOutboxDir } from "../kv/data-dir-lock.ts";
import { describeMalformed, isOutboxMessage, MAX_BATCH_EVENTS, type FromOutboxWorker, type OutboxWorkerInit, type ToOutboxWorker } from "./outbox-messages.ts";

export interface OutboxThread {
  /**
   * Hands the event over and returns: the request path's way in. An event that cannot be written (the
   * thread is too far behind, or its commit failed) is logged with its request and event ids.
   */
  record(event: UsageEvent): void;
  /** As `record`, and resolves once the event is committed to KV; rejects if it could not be. */
  append(event: UsageEvent): Promise<void>;
  /** Ships what is stored now; true when the outbox emptied. */
  flushNow(): Promise<boolean>;
  /** Stops the flusher, makes a last bounded flush, closes KV and ends the thread. */
  stop(): Promise<void>;
  /** For GET /health, read without asking the thread (it reports after each commit and each removal). */
  status(): OutboxStatus;
  /**
   * How long ago (ms) the oldest event not yet acknowledged by the control plane was handed over (an
   * upper bound: stored ones by their commit's time, as the thread last reported), 0 when there is none
   * and at least 1 whenever one is stored or unconfirmed, whatever the clock did (0 says "drained").
   * The snapshot poll sends it (x-usage-outbox-oldest-age-ms: region-proxy/snapshot/loop.ts): a busy
   * outbox is never empty, but holds only events a flush round old.
   */
  oldestUnshippedAgeMs(): number;
}

export interface OutboxStatus {
  /** Events in KV waiting for the control plane (as of the thread's last report). */
  storedEvents: number;
  maxStoredEvents: number;
  /**
   * Events logged as lost since start: refused at the cap, refused while the thread was behind, failed
   * commits, or stored but refused alone as too large (413: over MAX_USAGE_BODY_BYTES, or the control
   * plane's own batch_too_large) and removed.
   */
  droppedEvents: number;
  /** Unreadable KV entries moved to quarantine, each logged with its key, size and legible event ids (outbox.ts). */
  corruptEntries: number;
  /** False while no thread runs: between a thread's death and its replacement's start, or after stop. */
  threadRunning: boolean;
  /** Threads that died and were replaced since start. */
  threadRestarts: number;
  /** Events handed over and not yet confirmed committed (or refused) by the thread: in memory only. */
  unconfirmedEvents: number;
  /** How long the oldest of them has waited, in ms (null when there is none). */
  oldestUnconfirmedAgeMs: number | null;
  /**
   * OutboxThread.oldestUnshippedAgeMs: how old the oldest event not yet acknowledged by the control plane
   * is (0 when none). It grows while shipping fails, however few events wait.
   */
  oldestUnshippedAgeMs: number;
  /** Flush rounds that failed since start (the control plane unreachable or refusing, a 413, a KV read error); each is logged by the flusher. */
  flushFailures: number;
}

/** Events that cross together, and the one promise their appends share (no object per event). */
interface Batch {
  /** When its first event was handed over (performance.now(): a wall-clock step must not age or rejuvenate it). */
  since: number;
  /** Events from this index on were refused by the outbox (it was full); the others are committed. */
  taken: number;
  eventIds: string[];
  requestIds: string[];
  jsons: string[];
  committed: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void };
}

/** A batch whose failure is logged once (loseBatch) for the events it loses, whoever else waits for it. */
function newBatch(loseBatch: (requestIds: string[], eventIds: string[], why: string) => void): Batch {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  const batch: Batch = { since: performance.now(), taken: Infinity, eventIds: [], requestIds: [], jsons: [], committed: { promise, resolve, reject } };
  promise.catch((error: Error) => loseBatch(batch.requestIds, batch.eventIds, error.message));
  return batch;
}

/** The log line for a usage event that will not reach KV (settle.ts writes it too, for an append that throws). */
export const notWritten = (requestId: string, eventId: string, why: string) => `request ${requestId}: usage event ${eventId} could not be written: ${why}`;

/** Ids a lost batch's log line names at most; the others are counted. */
const LOST_IDS_LOGGED = 20;

/**
 * The one log line for the events of a batch that will not reach KV (a failed commit loses up to
 * MAX_BATCH_EVENTS at once): their number, the error's first line (a failed Deno KV commit, "disk I/O
 * error" on a full disk, carries a multi-line Rust backtrace) and the first LOST_IDS_LOGGED request and
 * event ids. A batch of one reads as notWritten.
 */
export function notWrittenBatch(requestIds: string[], eventIds: string[], why: string): string {
  const reason = why.split("\n").find((line) => line.trim() !== "")?.trim() ?? why;
  if (eventIds.length === 1) return notWritten(requestIds[0]!, eventIds[0]!, reason);
  const named = eventIds.slice(0, LOST_IDS_LOGGED).map((eventId, i) => `${requestIds[i]} (${eventId})`).join(", ");
  const more = eventIds.length > LOST_IDS_LOGGED ? ` … and ${eventIds.length - LOST_IDS_LOGGED} more` : "";
  return `usage: ${eventIds.length} events could not be written: ${reason}; requests (event ids): ${named}${more}`;
}

const RESTART_DELAY_MS = 200;
/**
 * Longest an event waits here before crossing to the outbox thread, which commits it at once: at most
 * 10 commits a second whatever the load (at 1,000 requests/s, 25 ms cost ~40 us of CPU per request).
 */
const POST_EVERY_MS = 100;
/** A batch this large crosses at once. */
const POST_EVENTS = MAX_BATCH_EVENTS;
/** How long stop() waits for the thread's answer (the thread aborts its last flush at 3 s, then closes KV). */
const STOP_WAIT_MS = 6_000;

/** The worker script; tests pass one that misbehaves on purpose. */
const OUTBOX_WORKER = new URL("./outbox-worker.ts", import.meta.url);
/**
 * Events held here, not yet confirmed by the thread, beyond which appends are refused (and logged by
 * settle): while the thread cannot commit (it keeps dying, KV is broken) memory must not grow without
 * bound. About 1 KB each, so the default holds ~100 MB; at 10,000 requests/s, 10 s of usage.
 */
const MAX_UNCONFIRMED_EVENTS = 100_000;
/**
 * Events the outbox stores by default (USAGE_OUTBOX_MAX_EVENTS). A usage event is ~720 bytes of JSON
 * and ~50 bytes once zstd-compressed in its group (measured on realistic events with random ids), so
 * five million is ~250 MB of KV values (plus SQLite's overhead): small for a persistent volume. That
 * holds ~80 minutes of a control-plane outage at the benchmark's reference 1,000 req/s per replica and
 * ~14 hours at 100 req/s, since usage is money and an outage should not drop it; past it new usage is
 * refused and logged. The price: a replica restarted with a full outbox counts it before it takes
 * usage (~3.5 s per million events, on the outbox thread). Raise it where the disk and that allow.
 */
export const DEFAULT_MAX_STORED_EVENTS = 5_000_000;

export interface OutboxThreadOptions {
  workerScript?: URL;
  maxUnconfirmedEvents?: number;
}

export async function startOutboxThread(init: OutboxWorkerInit, log: (line: string) => void, options: OutboxThreadOptions = {}): Promise<OutboxThread> {
  const workerScript = options.workerScript ?? OUTBOX_WORKER;
  const maxUnconfirmed = options.maxUnconfirmedEvents ?? MAX_UNCONFIRMED_EVENTS;
  const maxStored = init.maxStoredEvents ?? DEFAULT_MAX_STORED_EVENTS;
  const workerInit: OutboxWorkerInit = { ...init, maxStoredEvents: maxStored };
  const full = `the usage outbox holds its limit of ${maxStored} events (USAGE_OUTBOX_MAX_EVENTS) until the control plane takes them; this new one is refused`;
  /** As the thread last reported. */
  let storedEvents = 0;
  /** Date.now() of the oldest stored entry holding unacknowledged events, or earlier; null when none (outbox.ts oldestStoredAt). */
  let oldestStoredAt: number | null = null;
  let droppedEvents = 0;
  let corruptEntries = 0;
  let threadRestarts = 0;
  let flushFailures = 0;
  /** Every event that will not reach KV goes through here: logged with its ids, and counted. */
  const lose = (requestId: string, eventId: string, why: string) => {
    droppedEvents++;
    log(notWritten(requestId, eventId, why));
  };
  /** A whole batch lost (its commit failed, or stop abandoned it): one line, every event counted. */
  const loseBatch = (requestIds: string[], eventIds: string[], why: string) => {
    droppedEvents += eventIds.length;
    log(notWrittenBatch(requestIds, eventIds, why));
  };
  /** Events appended and not yet confirmed or refused (queued here or in flight to the thread). */
  let unconfirmed = 0;
  let queued: Batch | null = null;
  let postScheduled = false;
  const inFlight = new Map<number, Batch>();
  const replies = new Map<number, (message: FromOutboxWorker | null) => void>();
  let nextNumber = 0;
  let stopping = false;
  /** stop() has ended (set after `stopping`): a thread started from now on is asked to stop at once. */
  let stopped = false;
  let worker: Worker | null = null;
  /** The replacement of a thread that died, while it is being started (stop waits for it). */
  let restarting: Promise<void> | null = null;

  const post = (message: ToOutboxWorker) => worker!.postMessage(message);

  function send(batch: Batch): void {
    const number = ++nextNumber;
    inFlight.set(number, batch);
    post({ type: "append", batch: number, eventIds: batch.eventIds.join("\n"), jsons: batch.jsons.join("\n") });
  }

  function sendQueued(): void {
    postScheduled = false;
    if (!queued || !worker) return;
    const batch = queued;
    queued = null;
    send(batch);
  }

  function onMessage(from: Worker, message: unknown): void {
    if (!isOutboxMessage(message)) {
      // It may have been a batch's confirmation, and that batch would then wait forever. Replacing the
      // thread sends every batch not yet confirmed again (a repeat is harmless: event ids are unique).
      log(`usage outbox thread sent a malformed message (${describeMalformed(message)}); replacing the thread`);
      from.terminate();
      return;
    }
    const reply = message as FromOutboxWorker;
    switch (reply.type) {
      case "committed": {
        const batch = inFlight.get(reply.batch);
        inFlight.delete(reply.batch);
        if (batch) unconfirmed -= batch.eventIds.length;
        storedEvents = reply.storedEvents;
        oldestStoredAt = reply.oldestStoredAt ?? null;
        if (batch && reply.error === null && reply.refused > 0) {
          batch.taken = batch.eventIds.length - reply.refused;
          for (let i = batch.taken; i < batch.eventIds.length; i++) lose(batch.requestIds[i]!, batch.eventIds[i]!, full);
        }
        if (reply.error === null) batch?.committed.resolve();
        else batch?.committed.reject(new Error(reply.error));
        return;
      }
      case "stored":
        storedEvents = reply.storedEvents;
        oldestStoredAt = reply.oldestStoredAt ?? null;
        return;
      case "dropped":
        droppedEvents += reply.events;
        return;
      case "flushFailed":
        flushFailures++;
        return;
      case "corrupt":
        corruptEntries = reply.corruptEntries;
        return;
      case "flushed":
      case "stopped":
        replies.get(reply.request)?.(reply);
        replies.delete(reply.request);
        return;
      case "log":
        return log(reply.line);
    }
  }

  /** A new thread, resolved once its KV is open (rejected when it cannot open). */
  function spawn(): Promise<void> {
    const thread = new Worker(workerScript.href);
    // Bun's Worker can be unref'd (not in the DOM typings): a forgotten stop() must not keep the process alive.
    (thread as Worker & { unref(): void }).unref();
    return new Promise<void>((resolve, reject) => {
      let started = false;
      thread.onmessage = (event: MessageEvent<unknown>) => {
        const message = event.data as FromOutboxWorker;
        if (!isOutboxMessage(message)) {
          thread.terminate();
          reject(new Error("usage outbox: the thread sent a malformed message while starting"));
        } else if (message.type === "log") log(message.line);
        else if (message.type === "listening") thread.postMessage({ type: "init", init: workerInit } satisfies ToOutboxWorker);
        else if (message.type === "ready") {
          started = true;
          storedEvents = message.storedEvents;
          oldestStoredAt = message.oldestStoredAt ?? null;
          corruptEntries = message.corruptEntries;
          worker = thread;
          thread.onmessage = (e: MessageEvent<unknown>) => onMessage(thread, e.data);
          resolve();
        } else if (message.type === "failed") {
          thread.terminate();
          reject(new Error(`usage outbox: ${message.error}`));
        }
      };
      thread.addEventListener("error", (event) => log(`usage outbox thread error: ${(event as ErrorEvent).message}`));
      thread.addEventListener("close", () => {
        if (!started) return reject(new Error("usage outbox: the thread exited while starting"));
        if (worker !== thread) return;
        worker = null;
        if (stopping) {
          // Died while stopping: nothing will answer what it was asked (stop), so that ends now, not at its timeout.
          for (const reply of replies.values()) reply(null);
          replies.clear();
          return;
        }
        threadRestarts++;
        log(`usage outbox thread exited; restarting it (${unconfirmed} events not yet confirmed are sent again)`);
        restarting = restart().finally(() => (restarting = null));
      });
    });
  }

  /**
   * Starts threads until one runs, then hands it what the dead one never confirmed. A stop() that lands
   * meanwhile waits for this (bounded), so the new thread commits those events before it is asked to
   * stop; only a stop with nothing left to commit goes without it.
   */
  async function restart(): Promise<void> {
    while (!worker) {
      await Bun.sleep(RESTART_DELAY_MS);
      if (stopped || (stopping && unconfirmed === 0)) return;
      try {
        await spawn();
      } catch (error) {
        log(`usage outbox thread could not restart: ${(error as Error).message}`);
      }
    }
    if (stopped) {
      // stop() gave up waiting for this thread (and rejected its events): it must not keep KV open, and
      // is asked to stop like any other, not terminated (a thread that opened SQLite: see stop).
      post({ type: "stop", request: ++nextNumber });
      worker = null;
      return;
    }
    // What the dead thread never confirmed goes first, then whatever queued meanwhile.
    const resend = [...inFlight.values()];
    inFlight.clear();
    for (const batch of resend) send(batch);
    sendQueued();
  }

  /** A request the thread answers once (flush, stop); resolves with null when no thread is running. */
  function ask(type: "flush" | "stop", timeoutMs: number): Promise<FromOutboxWorker | null> {
    if (!worker) return Promise.resolve(null);
    const request = ++nextNumber;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        replies.delete(request);
        resolve(null);
      }, timeoutMs);
      replies.set(request, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      post({ type, request });
    });
  }

  // Before any thread opens KV: a second outbox on this dir must not touch it.
  const lock = lockOutboxDir(init.dataDir);
  if (lock.previousOwner) log(`usage outbox: took over the lock of data dir ${init.dataDir} from ${lock.previousOwner}, which exited without releasing it`);
  try {
    await spawn();
  } catch (error) {
    lock.release();
    throw error;
  }

  /** Why an event cannot be taken now (null when it can): the outbox stopped, or its thread is too far behind. */
  const refusal = () =>
    stopping ? "the usage outbox has stopped" : unconfirmed >= maxUnconfirmed ? `the usage outbox thread has ${unconfirmed} events it has not confirmed; this one is dropped` : null;

  /** When the oldest batch not yet confirmed was started (Infinity: none). In flight: a few dozen batches at most (MAX_UNCONFIRMED_EVENTS / POST_EVENTS). */
  function oldestUnconfirmedSince(): number {
    let oldest = queued?.since ?? Infinity;
    for (const batch of inFlight.values()) oldest = Math.min(oldest, batch.since);
    return oldest;
  }

  /** OutboxThread.oldestUnshippedAgeMs: unconfirmed batches on the monotonic clock, stored entries on their key times (outbox.ts storedAt). */
  function oldestUnshippedAgeMs(): number {
    if (unconfirmed === 0 && oldestStoredAt === null) return 0;
    const unconfirmedAge = unconfirmed > 0 ? performance.now() - oldestUnconfirmedSince() : 0;
    const storedAge = oldestStoredAt === null ? 0 : Date.now() - oldestStoredAt;
    return Math.max(1, Math.ceil(Math.max(unconfirmedAge, storedAge)));
  }

  /** Queues the event for the next crossing; the batch that will carry it. */
  function enqueue(event: UsageEvent): Batch {
    const json = JSON.stringify(event);
    unconfirmed++;
    const batch = (queued ??= newBatch(loseBatch));
    batch.eventIds.push(event.eventId);
    batch.requestIds.push(event.requestId);
    batch.jsons.push(json);
    if (batch.eventIds.length >= POST_EVENTS) sendQueued();
    else if (!postScheduled) {
      postScheduled = true;
      setTimeout(sendQueued, POST_EVERY_MS);
    }
    return batch;
  }

  return {
    record(event) {
      const why = refusal();
      if (why === null) enqueue(event);
      else lose(event.requestId, event.eventId, why);
    },
    append(event) {
      const why = refusal();
      if (why === null) {
        const batch = enqueue(event);
        const index = batch.eventIds.length - 1;
        return batch.committed.promise.then(() => {
          if (index >= batch.taken) throw new Error(full);
        });
      }
      lose(event.requestId, event.eventId, why);
      return Promise.reject(new Error(why));
    },
    status() {
      const oldest = oldestUnconfirmedSince();
      return {
        storedEvents,
        maxStoredEvents: maxStored,
        droppedEvents,
        corruptEntries,
        threadRunning: worker !== null,
        threadRestarts,
        unconfirmedEvents: unconfirmed,
        oldestUnconfirmedAgeMs: unconfirmed > 0 && oldest !== Infinity ? Math.max(0, Math.round(performance.now() - oldest)) : null,
        oldestUnshippedAgeMs: oldestUnshippedAgeMs(),
        flushFailures,
      };
    },
    oldestUnshippedAgeMs,
    async flushNow() {
      const reply = await ask("flush", STOP_WAIT_MS);
      return reply?.type === "flushed" && reply.emptied;
    },
    async stop() {
      sendQueued();
      stopping = true;
      // A thread being replaced gets what its predecessor never confirmed and then stops like any other.
      if (restarting && !(await Promise.race([restarting.then(() => true), Bun.sleep(STOP_WAIT_MS).then(() => false)]))) {
        log(`usage outbox thread was still being restarted after ${STOP_WAIT_MS} ms; stopping without it`);
      }
      const reply = await ask("stop", STOP_WAIT_MS);
      const lost = unconfirmed === 0 ? "every event handed to it was committed" : `${unconfirmed} events not confirmed as committed are logged as lost`;
      if (!reply && worker) {
        // The thread bounds its own stop (STOP_FLUSH_MS): this is a thread stuck elsewhere, ended without closing KV.
        log(`usage outbox thread did not stop within ${STOP_WAIT_MS} ms; ended it without closing KV (${lost})`);
        // A thread that answered "stopped" has closed KV and ends by itself a while later (outbox-worker.ts):
        // terminate() is only for one that did not answer. Ending a thread that had opened SQLite files
        // while the process goes on crashed it now and then on Bun 1.4.5 (oven-sh/bun#29275).
        worker.terminate();
      } else if (!reply && unconfirmed > 0) log(`usage outbox: no thread was running at stop, or it exited before it stopped (${lost})`);
      worker = null;
      stopped = true;
      // What never reached a thread (none was running) fails too: nothing may wait forever.
      const abandoned = [...inFlight.values(), ...(queued ? [queued] : [])];
      inFlight.clear();
      queued = null;
      for (const batch of abandoned) batch.committed.reject(new Error("the usage outbox stopped before these events were committed"));
      unconfirmed = 0;
      lock.release();
    },
  };
}
