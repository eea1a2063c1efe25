/**
 * The URL a server bound to `hostname` is reached at. An IPv6 address is bracketed (http://[::1]:4000:
 * `http://::1:4000` is no URL, and the first start with HOST=::1 died parsing it), and a wildcard bind
 * (0.0.0.0, ::) is reached through its loopback address, as printed to the user.
 *
 * @example httpUrl("::", 4000) // "http://[::1]:4000"
 */
export function httpUrl(hostname: string, port: number): string {
  return `http://${urlHost(hostname)}:${port}`;
}

/** `hostname` as the host part of a URL: 0.0.0.0 → 127.0.0.1, :: → [::1], another IPv6 address bracketed. */
export function urlHost(hostname: string): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::" || hostname === "[::]") return "[::1]";
  return hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
}
