/**
 * Ships the outbox to the control plane: every `intervalMs` a batch of at most MAX_USAGE_BATCH events
 * is POSTed to /internal/v1/usage; only ids in `ackedEventIds` are deleted (the event id is the
 * idempotency key, so a re-send after a lost ack is harmless); the deletions of one round go to KV in
 * one commit at its end. Failures back off exponentially.
 *
 * Size: the control plane refuses a body over MAX_USAGE_BODY_BYTES (4 MiB) with 413, and events can
 * be ~12 KB (a trail of 16 skipped deployments with long CJK model names), so a batch is cut at
 * USAGE_BODY_BUDGET_BYTES of JSON. A 413 all the same (a control plane with a smaller limit, a proxy
 * in front of it) halves the batch for the rest of the round and goes on at once; a single event
 * refused alone can never be taken, so it is logged with its event and request ids and removed from
 * the outbox (`onDropped` counts it) instead of blocking every event behind it.
 */
import { MAX_USAGE_BATCH, MAX_USAGE_BODY_BYTES, PROXY_ID_HEADER, USAGE_PATH } from "../../shared/internal-api.ts";
import type { UsageBatchAck } from "../../shared/usage/usage-event.ts";
import type { PendingEvent, UsageOutbox } from "./outbox.ts";

/** Bytes of JSON a batch's body holds at most: three quarters of the control plane's limit. */
export const USAGE_BODY_BUDGET_BYTES = Math.floor((MAX_USAGE_BODY_BYTES * 3) / 4);
/** `{"events":[` and `]}`. */
const BODY_FRAME_BYTES = 13;

export interface FlusherDeps {
  outbox: UsageOutbox;
  controlPlaneUrl: string;
  regionToken: string;
  proxyId: string;
  intervalMs: number;
  log: (line: string) => void;
  maxBackoffMs?: number;
  /** Told the ids of events removed without delivery: the control plane refused each alone as too large (413). Each is logged too. */
  onDropped?: (eventIds: string[]) => void;
}

export interface Flusher {
  /** Sends batches until the outbox is empty or a send fails; true when it emptied. */
  flushNow(): Promise<boolean>;
  stop(): Promise<void>;
}

export function startFlusher(deps: FlusherDeps): Flusher {
  const url = `${deps.controlPlaneUrl.replace(/\/+$/, "")}${USAGE_PATH}`;
  const maxBackoff = deps.maxBackoffMs ?? 30_000;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<boolean> = Promise.resolve(true);
  let stopped = false;
  /** Events per batch: MAX_USAGE_BATCH at the start of each round, halved by each 413 in it. */
  let batchEvents = MAX_USAGE_BATCH;

  async function sendBatch(): Promise<"empty" | "sent" | "failed"> {
    const pending = withinBudget(await deps.outbox.peek(batchEvents), USAGE_BODY_BUDGET_BYTES);
    if (pending.length === 0) return "empty";
    try {
      // The events' JSON as stored: no re-encoding.
      const body = `{"events":[${pending.map((p) => p.json).join(",")}]}`;
      const response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${deps.regionToken}`, "content-type": "application/json", [PROXY_ID_HEADER]: deps.proxyId },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status === 413) {
        await response.body?.cancel();
        return await tooLarge(pending, Buffer.byteLength(body));
      }
      if (!response.ok) {
        deps.log(`usage flush: control plane answered ${response.status}; ${pending.length} events kept`);
        await response.body?.cancel();
        return "failed";
      }
      const ack = (await response.json()) as UsageBatchAck;
      const acked = new Set(Array.isArray(ack.ackedEventIds) ? ack.ackedEventIds : []);
      const removed = pending.filter((p) => acked.has(p.eventId));
      // Out of the next peek at once; deleted from KV once per round (see flush).
      await deps.outbox.forget(removed);
      // Nothing acknowledged: stop this round instead of re-sending the same batch in a tight loop.
      if (removed.length === 0) return "failed";
      // Some kept back (refused for now): they wait for the next round rather than being re-sent at once.
      // All acknowledged: go on — a batch can be short of MAX_USAGE_BATCH with more waiting (peek returns
      // whole entries), so the round ends only when a peek finds nothing.
      return removed.length < pending.length ? "empty" : "sent";
    } catch (error) {
      deps.log(`usage flush failed: ${(error as Error).message}; ${pending.length} events kept`);
      return "failed";
    }
  }

  /** A batch refused as too large: halved for the rest of the round, or, a single event, dropped. Both go on at once. */
  async function tooLarge(pending: PendingEvent[], bytes: number): Promise<"sent"> {
    if (pending.length > 1) {
      batchEvents = Math.ceil(pending.length / 2);
      deps.log(`usage flush: control plane refused a batch of ${pending.length} events (${bytes} bytes) as too large (413); sending ${batchEvents} at a time`);
      return "sent";
    }
    const [event] = pending as [PendingEvent];
    deps.log(
      `request ${requestIdOf(event.json)}: usage event ${event.eventId} dropped: the control plane refuses it alone as too large (413, ${bytes} bytes); removed from the outbox so the events behind it can go`,
    );
    await deps.outbox.forget(pending);
    deps.onDropped?.([event.eventId]);
    return "sent";
  }

  async function flush(): Promise<boolean> {
    batchEvents = MAX_USAGE_BATCH;
    try {
      return await flushBatches();
    } finally {
      // One KV commit per round for everything acknowledged in it, instead of one per batch.
      await deps.outbox.commitRemovals().catch((error: Error) => deps.log(`usage flush: acknowledged events not yet deleted (${error.message}); they may be sent again`));
    }
  }

  async function flushBatches(): Promise<boolean> {
    while (true) {
      // A KV read failure (or a corrupt entry) must not kill the timer loop: count it as a failed round.
      const outcome = await sendBatch().catch((error: Error) => {
        deps.log(`usage flush failed reading the outbox: ${error.message}`);
        return "failed" as const;
      });
      if (outcome === "failed") {
        failures++;
        return false;
      }
      failures = 0;
      if (outcome === "empty") return true;
    }
  }

  const flushNow = () => (running = running.then(flush, flush));
  const schedule = () => {
    if (stopped) return;
    const backoff = failures === 0 ? deps.intervalMs : Math.min(maxBackoff, deps.intervalMs * 2 ** Math.min(failures, 10));
    const jitter = failures === 0 ? 0 : Math.random() * backoff * 0.2;
    timer = setTimeout(() => void flushNow().then(schedule), backoff + jitter);
  };
  schedule();

  return {
    flushNow,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** The oldest events whose body stays within `budget` bytes (at least one, whatever its size). */
function withinBudget(pending: PendingEvent[], budget: number): PendingEvent[] {
  let chars = BODY_FRAME_BYTES;
  for (const event of pending) chars += event.json.length + 1;
  // A UTF-16 unit is at most 3 bytes of UTF-8: the usual batch needs no byte count.
  if (chars * 3 <= budget) return pending;
  let bytes = BODY_FRAME_BYTES;
  for (let i = 0; i < pending.length; i++) {
    bytes += Buffer.byteLength(pending[i]!.json) + 1;
    if (bytes > budget && i > 0) return pending.slice(0, i);
  }
  return pending;
}

/** The request id of an event's JSON, for the log line (it is one event, dropped: parsing it is cheap). */
function requestIdOf(json: string): string {
  try {
    return String((JSON.parse(json) as { requestId?: unknown }).requestId ?? "unknown");
  } catch {
    return "unknown";
  }
}
