/**
 * Where a URL's host is, as the URL parser reads it and never resolved: the one judgement behind the
 * control plane's plain-http baseUrl rule (control-plane/deployments/plaintext-base-url.ts: a
 * credential may go unencrypted only to loopback, a private range or a local name) and the proxy's
 * media URL rule (region-proxy/openai/media-url.ts: no content part may point a server-side fetch at
 * anything but a public host). A DNS name that resolves to a private address is "public" here: only
 * the resolver could tell.
 *
 * @example hostScope(new URL("http://169.254.169.254/").hostname) // "link-local"
 * @example hostScope(new URL("http://vllm.inference.svc:8000").hostname) // "local-name"
 */

export type HostScope =
  /** 127.0.0.0/8, ::1 */
  | "loopback"
  /** 10/8, 172.16/12, 192.168/16, fc00::/7 */
  | "private"
  /** 169.254/16 (the cloud metadata address among them), fe80::/10 */
  | "link-local"
  /** 0.0.0.0/8, :: */
  | "unspecified"
  /** 100.64/10, carrier-grade NAT (RFC 6598) */
  | "shared"
  /** ::ffff:0:0/96, an IPv4 address written as IPv6 */
  | "ipv4-mapped"
  /** a single-label name, localhost, or a name ending in one of LOCAL_NAME_SUFFIXES */
  | "local-name"
  | "public";

/** Name suffixes no public DNS name ends in: mDNS, cluster DNS, RFC 8375's home networks, common LAN and container names. */
export const LOCAL_NAME_SUFFIXES = [".local", ".internal", ".svc", ".cluster.local", ".lan", ".localhost", ".home.arpa"] as const;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/;

function ipv4Scope(a: number, b: number): HostScope {
  if (a === 127) return "loopback";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 169 && b === 254) return "link-local";
  if (a === 0) return "unspecified";
  if (a === 100 && b >= 64 && b <= 127) return "shared";
  return "public";
}

/** `ipv6` as URL.hostname writes it without brackets: lower-case and compressed. */
function ipv6Scope(ipv6: string): HostScope {
  if (ipv6 === "::1") return "loopback";
  if (ipv6 === "::") return "unspecified";
  if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(ipv6)) return "ipv4-mapped";
  if (/^f[cd][0-9a-f]{2}:/.test(ipv6)) return "private";
  if (/^fe[89ab][0-9a-f]:/.test(ipv6)) return "link-local";
  return "public";
}

/** The scope of `hostname` as URL.hostname gives it (lower-cased, IPv4 canonical, IPv6 bracketed and compressed). */
export function hostScope(hostname: string): HostScope {
  if (hostname.startsWith("[")) return ipv6Scope(hostname.slice(1, -1));
  const ipv4 = IPV4.exec(hostname);
  if (ipv4) return ipv4Scope(Number(ipv4[1]), Number(ipv4[2]));
  // A fully qualified name's final dot names the same host.
  const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  return !name.includes(".") || LOCAL_NAME_SUFFIXES.some((suffix) => name.endsWith(suffix)) ? "local-name" : "public";
}
