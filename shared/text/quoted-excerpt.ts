/**
 * A value from outside (a header, a peer's message) as a log line or a detail shows it: JSON-quoted, so
 * a line break in it cannot forge a log line of its own, and cut to `chars` characters (an ellipsis
 * added), so a value of megabytes is not written whole.
 *
 * @example log(`refused (${quotedExcerpt(detail, 200)})`) // refused ("key id \"k9\\n…\" is not pinned")
 */
export function quotedExcerpt(value: unknown, chars: number): string {
  const quoted = JSON.stringify(value) ?? String(value);
  return quoted.length > chars ? `${quoted.slice(0, chars)}…` : quoted;
}
