/**
 * Ships the outbox to the control plane: every `intervalMs` a batch of at most MAX_USAGE_BATCH events
 * is POSTed to /internal/v1/usage; only ids in `ackedEventIds` are deleted (the event id is the
 * idempotency key, so a re-send after a lost ack is harmless); the deletions of one round go to KV in
 * one commit at its end. Failures back off exponentially.
 *
 * Size: the control plane refuses a body over MAX_USAGE_BODY_BYTES (4 MiB) with 413 batch_too_large,
 * and events can be ~12 KB (a trail of 16 skipped deployments with long CJK model names), so a batch is
 * cut at USAGE_BODY_BUDGET_BYTES of JSON. A 413 all the same (a control plane with a smaller limit, an
 * ingress or WAF in front of it) fails the round like a 5xx: the events are kept, and the next round,
 * after the backoff, sends half as many per batch (held for SMALLER_BATCH_HOLD_MS), until a size passes.
 * A single event refused alone is dropped only when it can never be taken: over the control plane's
 * limit, or refused by the control plane itself (its batch_too_large code); it is logged with its event
 * and request ids and removed from the outbox (`onDropped` counts it) instead of blocking every event
 * behind it. Every event is far below the limit, so a lone event refused by anything else is a
 * misconfiguration in between (one that would otherwise drain the whole backlog, money, in one round):
 * the event is kept, the 413 logged as not the control plane's, and the batch size starts over.
 */
import { endpointUrl } from "../../shared/http/endpoint-url.ts";
import { redirectAnswer } from "../../shared/http/redirect-answer.ts";
import { readControlPlaneError } from "../../shared/http/control-plane-error.ts";
import { MAX_USAGE_BATCH, MAX_USAGE_BODY_BYTES, PROXY_ID_HEADER, USAGE_PATH } from "../../shared/internal-api.ts";
import type { UsageBatchAck } from "../../shared/usage/usage-event.ts";
import type { PendingEvent, UsageOutbox } from "./outbox.ts";

/** Bytes of JSON a batch's body holds at most: three quarters of the control plane's limit. */
export const USAGE_BODY_BUDGET_BYTES = Math.floor((MAX_USAGE_BODY_BYTES * 3) / 4);
/** `{"events":[` and `]}`. */
const BODY_FRAME_BYTES = 13;
/** The error code of the control plane's own 413 (control-plane/http/usage.route.ts). */
const CONTROL_PLANE_TOO_LARGE = "batch_too_large";
/**
 * How long a batch size found by halving is kept after its last 413: a limit in between that stays
 * costs one 413 (and one backoff) per halving every 10 minutes, not every round; one that is raised
 * again lets full batches through within 10 minutes.
 */
const SMALLER_BATCH_HOLD_MS = 10 * 60_000;

export interface FlusherDeps {
  outbox: UsageOutbox;
  controlPlaneUrl: string;
  regionToken: string;
  proxyId: string;
  intervalMs: number;
  log: (line: string) => void;
  maxBackoffMs?: number;
  /** Told the ids of events removed without delivery: each was refused alone as too large (413) and is over the control plane's limit or was refused by it. Each is logged too. */
  onDropped?: (eventIds: string[]) => void;
  /** Told of each round that ended on a failure (its events kept for the next, after a backoff); not one cut short by stop. */
  onFailedRound?: () => void;
}

export interface Flusher {
  /** Sends batches until the outbox is empty or a send fails; true when it emptied. */
  flushNow(): Promise<boolean>;
  /**
   * Stops the timer; with `lastFlushMs`, lets the running round finish and makes one last flush. Past
   * `lastFlushMs` (at once without it) the send in flight is aborted: its events stay in the outbox for
   * the next start. Resolves once no round runs, so the outbox's KV may be closed.
   */
  stop(lastFlushMs?: number): Promise<void>;
}

/** How long one POST may take before it counts as failed (its events are kept). */
const SEND_TIMEOUT_MS = 10_000;

export function startFlusher(deps: FlusherDeps): Flusher {
  const url = endpointUrl(deps.controlPlaneUrl, USAGE_PATH);
  const maxBackoff = deps.maxBackoffMs ?? 30_000;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<boolean> = Promise.resolve(true);
  let stopped = false;
  /** Aborted by stop, with every send it was linked to: a black-holed POST would otherwise hold stop for SEND_TIMEOUT_MS. */
  const stopping = new AbortController();
  /** Events per batch: MAX_USAGE_BATCH, halved by each 413 and kept so until SMALLER_BATCH_HOLD_MS after the last. */
  let batchEvents = MAX_USAGE_BATCH;
  let lastTooLargeAt = 0;

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
        signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(SEND_TIMEOUT_MS)]),
        // Never re-sent elsewhere: events another host acknowledges would leave the outbox unbilled.
        redirect: "manual",
      });
      const redirect = redirectAnswer(response);
      if (redirect !== null) {
        deps.log(`usage flush: the control plane answered with a redirect (${redirect}), which is not followed: CONTROL_PLANE_URL should name the control plane itself; ${pending.length} events kept`);
        await response.body?.cancel();
        return "failed";
      }
      if (response.status === 413) {
        const fromControlPlane = (await readControlPlaneError(response)).error?.code === CONTROL_PLANE_TOO_LARGE;
        return await tooLarge(pending, Buffer.byteLength(body), fromControlPlane);
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
      if (stopping.signal.aborted) deps.log(`usage flush: stopped while sending ${pending.length} events; they stay in the outbox for the next start`);
      else deps.log(`usage flush failed: ${(error as Error).message}; ${pending.length} events kept`);
      return "failed";
    }
  }

  /**
   * A batch refused as too large (413). Several events: kept, and halved for the next round, after the
   * backoff. A single event: dropped when it can never be taken (the round goes on at once), else kept.
   */
  async function tooLarge(pending: PendingEvent[], bytes: number, fromControlPlane: boolean): Promise<"sent" | "failed"> {
    const who = fromControlPlane ? `the control plane refused` : `something that is not the control plane (no ${CONTROL_PLANE_TOO_LARGE} code: an ingress body limit, a WAF?) answered 413 to`;
    if (pending.length > 1) {
      batchEvents = Math.ceil(pending.length / 2);
      lastTooLargeAt = Date.now();
      deps.log(`usage flush: ${who} a batch of ${pending.length} events (${bytes} bytes) as too large (413); ${pending.length} events kept, sending ${batchEvents} at a time after a backoff`);
      return "failed";
    }
    const [event] = pending as [PendingEvent];
    if (!fromControlPlane && bytes <= MAX_USAGE_BODY_BYTES) {
      // Halving cannot help a single event far below the control plane's limit: start over at full size once it passes.
      batchEvents = MAX_USAGE_BATCH;
      deps.log(
        `usage flush: ${who} a single event (${event.eventId}, ${bytes} bytes, the control plane takes up to ${MAX_USAGE_BODY_BYTES}); the event is kept and retried after a backoff: check what sits between proxy and control plane`,
      );
      return "failed";
    }
    const why = fromControlPlane ? `the control plane refuses it alone as too large (413 ${CONTROL_PLANE_TOO_LARGE}, ${bytes} bytes)` : `it is over the control plane's limit (${bytes} bytes of ${MAX_USAGE_BODY_BYTES}; 413)`;
    deps.log(`request ${requestIdOf(event.json)}: usage event ${event.eventId} dropped: ${why}; removed from the outbox so the events behind it can go`);
    await deps.outbox.forget(pending);
    deps.onDropped?.([event.eventId]);
    return "sent";
  }

  async function flush(): Promise<boolean> {
    if (Date.now() - lastTooLargeAt >= SMALLER_BATCH_HOLD_MS) batchEvents = MAX_USAGE_BATCH;
    try {
      return await flushBatches();
    } finally {
      // One KV commit per round for everything acknowledged in it, instead of one per batch.
      await deps.outbox.commitRemovals().catch((error: Error) => deps.log(`usage flush: acknowledged events not yet deleted (${error.message}); they may be sent again`));
    }
  }

  async function flushBatches(): Promise<boolean> {
    while (true) {
      if (stopping.signal.aborted) return false;
      // A KV read failure (or a corrupt entry) must not kill the timer loop: count it as a failed round.
      const outcome = await sendBatch().catch((error: Error) => {
        deps.log(`usage flush failed reading the outbox: ${error.message}`);
        return "failed" as const;
      });
      if (outcome === "failed") {
        failures++;
        if (!stopping.signal.aborted) deps.onFailedRound?.();
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
    async stop(lastFlushMs = 0) {
      stopped = true;
      if (timer) clearTimeout(timer);
      const deadline = setTimeout(() => stopping.abort(), lastFlushMs);
      try {
        await (lastFlushMs > 0 ? flushNow() : running);
      } finally {
        clearTimeout(deadline);
      }
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
