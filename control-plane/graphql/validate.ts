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
