/**
 * The messages between the proxy's event loop and its outbox thread (outbox-thread.ts ↔
 * outbox-worker.ts). Events cross as JSON strings, encoded once on the request side.
 */
import { MAX_USAGE_BATCH } from "../../shared/internal-api.ts";

/** Events in one `append` at most: four control-plane batches, committed as one KV commit of four entries. */
export const MAX_BATCH_EVENTS = 4 * MAX_USAGE_BATCH;

export interface OutboxWorkerInit {
  dataDir: string;
  controlPlaneUrl: string;
  regionToken: string;
  proxyId: string;
  flushIntervalMs: number;
  /** Events the outbox stores at most (USAGE_OUTBOX_MAX_EVENTS); past it new events are refused. */
  maxStoredEvents?: number;
}

/** To the worker. */
export type ToOutboxWorker =
  | { type: "init"; init: OutboxWorkerInit }
  /**
   * Events to commit, answered by one `committed` with the same batch number. Ids and JSON texts are
   * each joined by "\n" (JSON.stringify never leaves a raw newline in its output): two strings cross
   * the thread boundary instead of a structured clone of one pair per event.
   */
  | { type: "append"; batch: number; eventIds: string; jsons: string }
  | { type: "flush"; request: number }
  | { type: "stop"; request: number };

/** From the worker. */
export type FromOutboxWorker =
  /** The worker's handler is installed: `init` may be sent. */
  | { type: "listening" }
  /**
   * KV is open and its events counted; `corruptEntries`: unreadable entries in quarantine (outbox.ts).
   * `oldestStoredAt`, here and below: the outbox's oldestStoredAt() (outbox.ts) as the message leaves.
   */
  | { type: "ready"; storedEvents: number; corruptEntries: number; oldestStoredAt: number | null }
  | { type: "failed"; error: string }
  /**
   * A batch's answer. `refused`: how many of its events the outbox refused because it is full, always
   * its last ones (the others are committed); `storedEvents`: what the outbox holds now.
   */
  | { type: "committed"; batch: number; error: string | null; refused: number; storedEvents: number; oldestStoredAt: number | null }
  /** What the outbox holds after acknowledged events were deleted. */
  | { type: "stored"; storedEvents: number; oldestStoredAt: number | null }
  /** Events removed without delivery (each refused alone as too large: over MAX_USAGE_BODY_BYTES, or the control plane's batch_too_large); each was logged. */
  | { type: "dropped"; events: number }
  /** A flush round failed (the control plane unreachable or refusing, a 413, a KV read error); its events are kept. */
  | { type: "flushFailed" }
  /** One more unreadable entry was moved to quarantine (and logged); how many are there now. */
  | { type: "corrupt"; corruptEntries: number }
  | { type: "flushed"; request: number; emptied: boolean }
  | { type: "stopped"; request: number }
  | { type: "log"; line: string };

/**
 * True when `data` has a message's shape (an object with a string `type`). Each side checks what
 * arrives: once, under load, a reply reached the request side as `null` instead of the object posted.
 */
export function isOutboxMessage(data: unknown): data is { type: string } {
  return typeof data === "object" && data !== null && typeof (data as { type?: unknown }).type === "string";
}

/** What arrived instead of a message, for the log line (never its content). */
export function describeMalformed(data: unknown): string {
  return data === null ? "null" : typeof data;
}
