/**
 * The outbox thread: owns the usage outbox (Deno KV group commits) and its flusher, off the proxy's
 * event loop. KV commits block the thread that issues them for ~0.3 ms each (protobuf encoding, the
 * native call), the flusher's rounds build and parse batches of hundreds of events, and the events
 * waiting to be shipped are exactly the objects a generational GC has to promote: on the request
 * thread they stretched the proxy's latency tail (p99 +2.8 ms over the bare pass-through before the
 * move, +0.4 to +1.5 ms after; infra/bench/README.md). Here they cost the request path one JSON string
 * per event and its share of a batch. Started and spoken to only by outbox-thread.ts.
 */
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
import { startFlusher, type Flusher } from "./flusher.ts";
import { describeMalformed, isOutboxMessage, MAX_BATCH_EVENTS, type FromOutboxWorker, type OutboxWorkerInit, type ToOutboxWorker } from "./outbox-messages.ts";
import { UsageOutbox } from "./outbox.ts";

declare const self: Worker;

const send = (message: FromOutboxWorker) => self.postMessage(message);
const log = (line: string) => send({ type: "log", line });
/** How long stop gives the running round and one last flush; past it the send in flight is aborted (its events stay in KV). */
const STOP_FLUSH_MS = 3_000;
/** How long the thread idles after answering "stopped" before it ends (see stop). */
const LINGER_AFTER_STOP_MS = 10_000;

let state: { kv: Kv; outbox: UsageOutbox; flusher: Flusher } | null = null;
/** Appends not yet answered: stop waits for them before closing KV. */
const appending = new Set<Promise<void>>();

async function init(config: OutboxWorkerInit): Promise<void> {
  try {
    const kv = await openProxyKv(config.dataDir);
    // The request side already grouped the events (outbox-thread.ts): each batch is committed as it arrives.
    // Counted once here, then kept by the outbox (a restart counts again).
    const outbox: UsageOutbox = await UsageOutbox.open(kv, { maxDelayMs: 0, groupEvents: MAX_BATCH_EVENTS, maxStoredEvents: config.maxStoredEvents, onRemoved: (storedEvents) => send({ type: "stored", storedEvents, oldestStoredAt: outbox.oldestStoredAt() }), onCorrupt: (corruptEntries) => send({ type: "corrupt", corruptEntries }), log });
    const flusher = startFlusher({ outbox, controlPlaneUrl: config.controlPlaneUrl, regionToken: config.regionToken, proxyId: config.proxyId, intervalMs: config.flushIntervalMs, log, onDropped: (eventIds) => send({ type: "dropped", events: eventIds.length }), onFailedRound: () => send({ type: "flushFailed" }) });
    state = { kv, outbox, flusher };
    send({ type: "ready", storedEvents: outbox.storedEvents() ?? 0, corruptEntries: outbox.corruptEntries(), oldestStoredAt: outbox.oldestStoredAt() });
  } catch (error) {
    send({ type: "failed", error: (error as Error).message });
  }
}

async function append(batch: number, eventIds: string, jsons: string): Promise<void> {
  try {
    if (!state) throw new Error("the outbox thread is not initialised");
    const { outbox } = state;
    const ids = eventIds.split("\n");
    const texts = jsons.split("\n");
    if (ids.length !== texts.length) throw new Error(`a batch of ${ids.length} ids carried ${texts.length} events`);
    // The cap is checked here, on this thread: the request side pays nothing for it.
    const refused = await outbox.appendMany(ids, texts);
    send({ type: "committed", batch, error: null, refused, storedEvents: outbox.storedEvents() ?? 0, oldestStoredAt: outbox.oldestStoredAt() });
  } catch (error) {
    send({ type: "committed", batch, error: (error as Error).message, refused: 0, storedEvents: state?.outbox.storedEvents() ?? 0, oldestStoredAt: state?.outbox.oldestStoredAt() ?? null });
  }
}

async function stop(request: number): Promise<void> {
  await Promise.all(appending);
  if (state) {
    const { kv, flusher } = state;
    state = null;
    // Bounded by the flusher itself, which then runs no more: KV can be closed under nothing.
    await flusher.stop(STOP_FLUSH_MS);
    kv.close();
  }
  send({ type: "stopped", request });
  // The thread holds nothing now (flusher stopped, KV closed) and is not terminated: it idles, then ends
  // by itself once this timer drops its message handler. A thread ending (terminated or not) while
  // the process goes on crashed the whole process now and then on Bun 1.4.5 (segfault or abort as the
  // launcher stopped its two proxies, oven-sh/bun#29275); a process that exits soon after stop, as the
  // launcher and the proxy do, now never tears a thread down before it exits.
  setTimeout(() => (self.onmessage = null), LINGER_AFTER_STOP_MS);
}

self.onmessage = (message: MessageEvent<unknown>) => {
  if (!isOutboxMessage(message.data)) {
    // It may have been a batch to commit: ending here makes the request side start a new thread and
    // send it every batch this one did not confirm.
    log(`usage outbox thread received a malformed message (${describeMalformed(message.data)}); exiting`);
    process.exit(1);
  }
  const data = message.data as ToOutboxWorker;
  switch (data.type) {
    case "init":
      return void init(data.init);
    case "append": {
      const done = append(data.batch, data.eventIds, data.jsons).finally(() => appending.delete(done));
      appending.add(done);
      return;
    }
    case "flush":
      return void (state ? state.flusher.flushNow() : Promise.resolve(false)).then((emptied) => send({ type: "flushed", request: data.request, emptied }));
    case "stop":
      return void stop(data.request);
  }
};
// Messages posted before this handler existed may be dropped, so the other side sends `init` only after this.
send({ type: "listening" });
