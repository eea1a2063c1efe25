/**
 * The checks on a region's usage batch that need no database: which events are dead-lettered for their
 * own content (parseUsageEvent), for naming another region than the token's, or for repeating an event id
 * of the batch with other content; and why an event's key is no spend the region could have made, once
 * the caller knows which keys the region's snapshot carries. Pure, so the control plane's ingestion
 * (ingest-usage.ts) and the proxy tests' stand-in control plane (test/support/snapshot-origin.ts) refuse
 * the same events for the same reasons.
 *
 * @example const { events, copies, refused } = sortUsageBatch("eu", body.events);
 */
import { MAX_EVENT_ID_CHARS, parseUsageEvent, type UsageEvent } from "../../shared/usage/usage-event.ts";

export interface SortedUsageBatch {
  /** The first valid copy of each event id, in the order the ids first came. */
  events: Map<string, UsageEvent>;
  /** How many valid copies of each id in `events` came (a repeat with the same content is a duplicate). */
  copies: Map<string, number>;
  /** Each event to dead-letter, as sent, with why, in the order they came. */
  refused: { raw: unknown; reason: string }[];
}

/** The event id exactly as sent, any string: what the proxy's outbox matches an acknowledgement by. */
export function sentIdOf(raw: unknown): string | null {
  if (typeof raw !== "object" || raw === null) return null;
  const id = (raw as { eventId?: unknown }).eventId;
  return typeof id === "string" ? id : null;
}

/** The id a rejection names: the sent one when it is a usable id (1 to MAX_EVENT_ID_CHARS characters), else null. */
export function eventIdOf(raw: unknown): string | null {
  const id = sentIdOf(raw);
  return id !== null && id !== "" && id.length <= MAX_EVENT_ID_CHARS ? id : null;
}

/** Whether two values read from JSON hold the same content (object keys in any order). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/**
 * Parses each event of a batch sent with `region`'s token. An id sent twice is taken as across batches:
 * the first valid copy is kept, a later one with the same content is counted, one with other content
 * refused (its content would otherwise be lost without a trace).
 */
export function sortUsageBatch(region: string, rawEvents: unknown[]): SortedUsageBatch {
  const events = new Map<string, UsageEvent>();
  const copies = new Map<string, number>();
  const refused: SortedUsageBatch["refused"] = [];
  for (const raw of rawEvents) {
    const parsed = parseUsageEvent(raw);
    if (!parsed.ok) {
      refused.push({ raw, reason: parsed.reason });
      continue;
    }
    if (parsed.event.region !== region) {
      refused.push({ raw, reason: `region ${parsed.event.region} does not match the token's region ${region}` });
      continue;
    }
    const id = parsed.event.eventId;
    const first = events.get(id);
    if (first === undefined) {
      events.set(id, parsed.event);
      copies.set(id, 1);
    } else if (sameJson(first, parsed.event)) {
      copies.set(id, copies.get(id)! + 1);
    } else {
      refused.push({ raw, reason: "eventId repeated in the batch with different content" });
    }
  }
  return { events, copies, refused };
}

/**
 * Why `event` is no spend `region`'s proxies could have made, or null when it is: `keyTenant` is the
 * tenant of the event's key when the region's snapshot carries that key, undefined when it does not (or
 * no such key exists).
 */
export function keyNotCarriedReason(event: UsageEvent, region: string, keyTenant: string | undefined): string | null {
  if (keyTenant === undefined) return `key ${event.keyId} is not carried by region ${region}'s snapshot`;
  if (keyTenant !== event.tenantId) return `tenant ${event.tenantId} is not the tenant of key ${event.keyId}`;
  return null;
}
