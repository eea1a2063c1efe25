/**
 * Text PostgreSQL can store as given. A `text` or `jsonb` value may not hold NUL (U+0000), and a lone
 * UTF-16 surrogate is no character at all (jsonb refuses its `\ud800` escape; a `text` parameter would
 * silently become U+FFFD). Values from the wire are checked with this before they reach a query, so a
 * bad value is refused with a reason instead of failing the statement that carries it.
 */

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one (code units: no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** A NUL or a lone surrogate. */
const UNSTORABLE = new RegExp(`\u0000|${LONE_SURROGATE.source}`);
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");
/** C0 and C1 control characters (tab and newline included), and DEL. */
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** Whether `value` is well-formed UTF-16 (String.prototype.isWellFormed, which the ES2022 lib lacks). */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Whether `value` holds no NUL and is well-formed UTF-16. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/** Whether `value` is storable text without any control character: for identifiers and keys. */
export function isPlainText(value: string): boolean {
  return isStorableText(value) && !CONTROL.test(value);
}

/** A storable copy of `value`: each NUL and lone surrogate becomes U+FFFD. */
export function storableText(value: string): string {
  return value.replace(UNSTORABLE_ALL, "\uFFFD");
}
