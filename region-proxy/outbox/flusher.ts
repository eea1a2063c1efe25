/**
 * Ships the outbox to the control plane: every `intervalMs` a batch of at most MAX_USAGE_BATCH events
 * is POSTed to /internal/v1/usage; only ids in `ackedEventIds` are deleted (the event id is the
 * idempotency key, so a re-send after a lost ack is harmless); the deletions of one round go to KV in
 * one commit at its end. Failures back off exponentially.
 */
import { MAX_USAGE_BATCH, PROXY_ID_HEADER, USAGE_PATH } from "../../shared/internal-api.ts";
import type { UsageBatchAck } from "../../shared/usage/usage-event.ts";
import type { UsageOutbox } from "./outbox.ts";

export interface FlusherDeps {
  outbox: UsageOutbox;
  controlPlaneUrl: string;
  regionToken: string;
  proxyId: string;
  intervalMs: number;
  log: (line: string) => void;
  maxBackoffMs?: number;
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

  async function sendBatch(): Promise<"empty" | "sent" | "failed"> {
    const pending = await deps.outbox.peek(MAX_USAGE_BATCH);
    if (pending.length === 0) return "empty";
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${deps.regionToken}`, "content-type": "application/json", [PROXY_ID_HEADER]: deps.proxyId },
        // The events' JSON as stored: no re-encoding.
        body: `{"events":[${pending.map((p) => p.json).join(",")}]}`,
        signal: AbortSignal.timeout(10_000),
      });
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

  async function flush(): Promise<boolean> {
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
