/**
 * The copy of an invalid event that goes to `usage_dead_letters.payload` (jsonb). The event is whatever
 * a proxy sent, so the copy is made storable and bounded before any JSON work: NUL and lone surrogates
 * (jsonb refuses both) become U+FFFD in strings and keys, nesting stops at MAX_DEAD_LETTER_DEPTH (a
 * 100,000-deep array would overflow the stack of JSON.stringify), long strings and wide containers are
 * cut, and the walk visits at most MAX_DEAD_LETTER_NODES values, so its cost is bounded whatever came in.
 */
import { MAX_EVENT_ID_CHARS } from "../../shared/usage/usage-event.ts";
import { storableText } from "../../shared/text/storable-text.ts";

export const MAX_DEAD_LETTER_DEPTH = 32;
export const MAX_DEAD_LETTER_NODES = 5_000;
export const MAX_DEAD_LETTER_STRING_CHARS = 4_096;
export const MAX_DEAD_LETTER_ENTRIES = 200;
/** The reason column: the validation message, or the database's when the insert itself failed. */
export const MAX_DEAD_LETTER_REASON_CHARS = 500;

/** Marks where the copy stops: the value below was left out. */
const CUT = (what: string) => `[cut: ${what}]`;

function cutText(value: string, max: number): string {
  // Cut first, then make storable: a cut between a surrogate pair leaves a lone half, which becomes U+FFFD.
  return storableText(value.length > max ? `${value.slice(0, max)}${CUT(`${value.length - max} more characters`)}` : value);
}

/** A storable, bounded copy of `raw` for the dead-letter table (see the file comment). */
export function deadLetterPayload(raw: unknown): unknown {
  let budget = MAX_DEAD_LETTER_NODES;
  const copy = (value: unknown, depth: number): unknown => {
    if (budget-- <= 0) return CUT("too many values");
    if (typeof value === "string") return cutText(value, MAX_DEAD_LETTER_STRING_CHARS);
    if (typeof value === "number") return Number.isFinite(value) ? value : null;
    if (typeof value === "boolean" || value === null) return value;
    if (typeof value !== "object") return null;
    if (depth >= MAX_DEAD_LETTER_DEPTH) return CUT(`deeper than ${MAX_DEAD_LETTER_DEPTH} levels`);
    if (Array.isArray(value)) {
      const out = value.slice(0, MAX_DEAD_LETTER_ENTRIES).map((child) => copy(child, depth + 1));
      if (value.length > MAX_DEAD_LETTER_ENTRIES) out.push(CUT(`${value.length - MAX_DEAD_LETTER_ENTRIES} more items`));
      return out;
    }
    const out: Record<string, unknown> = {};
    let entries = 0;
    for (const key in value) {
      if (entries++ >= MAX_DEAD_LETTER_ENTRIES) {
        out[CUT("more fields")] = true;
        break;
      }
      out[cutText(key, 200)] = copy((value as Record<string, unknown>)[key], depth + 1);
    }
    return out;
  };
  return copy(raw, 0);
}

/** A storable, bounded reason. */
export function deadLetterReason(reason: string): string {
  return cutText(reason, MAX_DEAD_LETTER_REASON_CHARS);
}

/**
 * The id a dead letter is keyed by (`usage_dead_letters.event_id`): the sent `eventId` when it is a
 * usable id (a string of 1 to MAX_EVENT_ID_CHARS characters), made storable as in the payload copy; else
 * null, and the dead letter is not keyed.
 */
export function deadLetterEventId(raw: unknown): string | null {
  if (typeof raw !== "object" || raw === null) return null;
  const id = (raw as { eventId?: unknown }).eventId;
  return typeof id === "string" && id !== "" && id.length <= MAX_EVENT_ID_CHARS ? storableText(id) : null;
}
