/**
 * A URL-valued setting as a start error quotes it: quoted so a stray newline or space (a mis-indented
 * YAML or .env value, the commonest reason a URL is refused) shows as `\n`, and without what may hold
 * a credential, since the error goes to stderr and the log pipeline: everything between the scheme and
 * the last "@" (user and password, however malformed the URL, whatever they hold: "?", "#", "/", "@")
 * and everything after a "?" past it (ioredis reads a password from the query) are masked. A "?"
 * before that "@" followed by a parameter (key=value) makes the "@" a query value's, whose end
 * follows it: then all after the scheme is masked.
 *
 * @example shownUrl("rediss://default:pw@redis-eu:6380/2\n") // "\"rediss://***@redis-eu:6380/2\\n\""
 */
export function shownUrl(raw: string): string {
  const scheme = /^[\s\x00-\x1f]*[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(raw)?.[0] ?? "";
  // The last "@" first: cutting at a password's "?" first would show the password's start.
  const at = raw.lastIndexOf("@");
  if (at < scheme.length) return JSON.stringify(withoutQuery(raw));
  const question = raw.indexOf("?", scheme.length);
  const inQuery = question >= 0 && question < at && raw.slice(question, at).includes("=");
  return JSON.stringify(`${scheme}***${inQuery ? "" : withoutQuery(raw.slice(at))}`);
}

function withoutQuery(text: string): string {
  const query = text.indexOf("?");
  return query < 0 ? text : `${text.slice(0, query)}?***`;
}
