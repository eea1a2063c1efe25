/** Argument checks that fail with BAD_USER_INPUT naming the field; never clamp, always refuse. */
import { badInput } from "./errors.ts";

/** A trimmed, non-empty string of at most `max` characters. */
export function requireText(field: string, value: string, max = 200): string {
  const trimmed = value.trim();
  if (trimmed === "") throw badInput(field, "must not be empty");
  if (trimmed.length > max) throw badInput(field, `must be at most ${max} characters`);
  return trimmed;
}

export function requirePattern(field: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw badInput(field, `must match ${pattern.source}`);
  return value;
}

/** A finite, non-negative number. */
export function requireNonNegative(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw badInput(field, "must be a finite number >= 0");
  return value;
}

/** The longest URL an admin may store (a region's publicUrl, a deployment's baseUrl being written). */
export const MAX_URL_LENGTH = 2048;

/** At most MAX_URL_LENGTH characters, checked before the URL is parsed or quoted in a refusal. */
export function requireUrlLength(field: string, value: string): string {
  if (value.length > MAX_URL_LENGTH) throw badInput(field, `must be at most ${MAX_URL_LENGTH} characters`);
  return value;
}

export function requireHttpUrl(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput(field, "must be an absolute http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw badInput(field, "must be an http(s) URL");
  if (url.username || url.password) throw badInput(field, "must not carry credentials");
  return value;
}

/**
 * The raw query and fragment of a URL string as written, each without its `?`/`#`: null when absent,
 * "" when written empty (`https://x/v1?`, which URL.search and URL.hash hide). In an http(s) URL
 * without credentials the first `#` starts the fragment and the first `?` before it the query.
 *
 * @example urlQueryAndFragment("https://x/v1?a=1#f") // { query: "a=1", fragment: "f" }
 */
export function urlQueryAndFragment(value: string): { query: string | null; fragment: string | null } {
  const hash = value.indexOf("#");
  const beforeFragment = hash < 0 ? value : value.slice(0, hash);
  const question = beforeFragment.indexOf("?");
  return { query: question < 0 ? null : beforeFragment.slice(question + 1), fragment: hash < 0 ? null : value.slice(hash + 1) };
}
