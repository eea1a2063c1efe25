/**
 * Text as the audit chain hashes and stores it. PostgreSQL text holds only well-formed Unicode without
 * NUL: a lone surrogate is stored as U+FFFD (so a hash over the JS string no longer matched the row)
 * and jsonb refuses its `\ud800` escape. Arguments with either are refused before they get here
 * (graphql/reject-nul.middleware.ts); this makes sure nothing else can break the chain. What text
 * PostgreSQL can store is shared/text/storable-text.ts's; here are the cut and the JSON walk.
 */
import { storableText } from "../../shared/text/storable-text.ts";

/** At most `max` UTF-16 units of `value`, cut between code points, never inside a surrogate pair. */
export function truncateText(value: string, max: number): string {
  if (value.length <= max) return value;
  const last = value.charCodeAt(max - 1);
  const cutsPair = last >= 0xd800 && last <= 0xdbff;
  return value.slice(0, cutsPair ? max - 1 : max);
}

/** A JSON value with every string (keys included) made storable. */
export function storableJson(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)]));
  }
  return value;
}
