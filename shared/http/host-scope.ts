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
  /**
   * An IPv6 address that carries a non-public IPv4 address a translator or stack may reach: NAT64
   * 64:ff9b::/96 (and the local-use 64:ff9b:1::/48, whole), IPv4-translated ::ffff:0:a.b.c.d,
   * IPv4-compatible ::a.b.c.d. Not "private": the control plane does not let a credential go
   * unencrypted to one, as before; the proxy's media rule refuses it. Embedding a public IPv4 address: "public".
   */
  | "ipv4-embedded"
  /** a single-label name, localhost, kubernetes.default, or a name ending in one of LOCAL_NAME_SUFFIXES */
  | "local-name"
  | "public";

/** Name suffixes no public DNS name ends in: mDNS, cluster DNS, RFC 8375's home networks, common LAN and container names. */
export const LOCAL_NAME_SUFFIXES = [".local", ".internal", ".svc", ".cluster.local", ".lan", ".localhost", ".home.arpa"] as const;

/**
 * Two-label names every Kubernetes pod resolves by its search path: the API server. Any other
 * service.namespace name looks like a public domain and is not caught (README).
 */
export const LOCAL_NAMES: readonly string[] = ["kubernetes.default"];

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/;

function ipv4Scope(a: number, b: number): HostScope {
  if (a === 127) return "loopback";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 169 && b === 254) return "link-local";
  if (a === 0) return "unspecified";
  if (a === 100 && b >= 64 && b <= 127) return "shared";
  return "public";
}

/** The eight 16-bit groups of a compressed IPv6 address as URL.hostname writes it (hex groups only, never a dotted tail). */
function ipv6Groups(ipv6: string): number[] {
  const [head, tail] = ipv6.includes("::") ? ipv6.split("::") : [ipv6, undefined];
  const read = (part: string | undefined) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const front = read(head);
  const back = read(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** The scope of the IPv4 address in an IPv6 address's last 32 bits, as "ipv4-embedded" unless public. */
function embeddedScope(g: number[]): HostScope {
  return ipv4Scope(g[6]! >> 8, g[6]! & 0xff) === "public" ? "public" : "ipv4-embedded";
}

/** `ipv6` as URL.hostname writes it without brackets: lower-case and compressed. */
function ipv6Scope(ipv6: string): HostScope {
  if (ipv6 === "::1") return "loopback";
  if (ipv6 === "::") return "unspecified";
  if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(ipv6)) return "ipv4-mapped";
  const g = ipv6Groups(ipv6);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return "ipv4-embedded"; // 64:ff9b:1::/48, local-use NAT64 (RFC 8215)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return embeddedScope(g); // 64:ff9b::/96 (RFC 6052)
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return embeddedScope(g); // ::ffff:0:0/96, IPv4-translated (RFC 2765)
  if (zeros(0, 6)) return embeddedScope(g); // ::/96, IPv4-compatible (deprecated, RFC 4291)
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
  return !name.includes(".") || LOCAL_NAMES.includes(name) || LOCAL_NAME_SUFFIXES.some((suffix) => name.endsWith(suffix)) ? "local-name" : "public";
}
