/**
 * A URL-valued setting as a start error quotes it: quoted so a stray newline or space (a mis-indented
 * YAML or .env value, the commonest reason a URL is refused) shows as `\n`, and without what may hold
 * a credential, since the error goes to stderr and the log pipeline: everything between the scheme and
 * the last "@" (user and password, however malformed the URL) and everything after a "?" (ioredis
 * reads a password from the query) are masked.
 *
 * @example shownUrl("rediss://default:pw@redis-eu:6380/2\n") // "\"rediss://***@redis-eu:6380/2\\n\""
 */
export function shownUrl(raw: string): string {
  const scheme = /^[\s\x00-\x1f]*[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(raw)?.[0] ?? "";
  const query = raw.indexOf("?");
  let shown = query < 0 ? raw : `${raw.slice(0, query)}?***`;
  const at = shown.lastIndexOf("@");
  if (at >= scheme.length) shown = `${scheme}***${shown.slice(at)}`;
  return JSON.stringify(shown);
}
