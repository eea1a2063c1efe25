/**
 * A deployment's baseUrl is where the proxy sends the vendor credential (Authorization / api-key /
 * x-api-key / x-goog-api-key) on every call, so a plain http:// one is accepted only to a host that
 * cannot be on the public internet: loopback (127.0.0.0/8, ::1, localhost, *.localhost), the private
 * ranges clusters use (10/8, 172.16/12, 192.168/16, fc00::/7), a single-label name (`vllm`) and a name
 * ending in .local, .internal, .svc, .cluster.local or .lan. Anything else (a typo of https for
 * `http://api.openai.com/v1`, a public or link-local address) is refused unless the control plane runs
 * with ALLOW_PLAINTEXT_VENDOR_URLS=true, as the proxy refuses a plain http CONTROL_PLANE_URL off
 * loopback without ALLOW_INSECURE_CONTROL_PLANE=true. The host is judged as the URL parser reads it (a
 * stored baseUrl is its own parsed form: deployment-base-url.ts), never resolved.
 *
 * @example sendsCredentialSafely("http://vllm.inference.svc:8000/v1") // true
 * @example requireEncryptedBaseUrl("baseUrl", "http://api.openai.com/v1", false) // throws BAD_USER_INPUT
 */
import { badInput } from "../graphql/errors.ts";

/** The control plane's opt-out (config.ts), named in every refusal. */
export const PLAINTEXT_OPT_IN = "ALLOW_PLAINTEXT_VENDOR_URLS";

const PRIVATE_SUFFIXES = [".local", ".internal", ".svc", ".cluster.local", ".lan", ".localhost"];
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/;

/** Whether a parsed IPv4 address is loopback, 10/8, 172.16/12 or 192.168/16. */
function privateIpv4(a: number, b: number): boolean {
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/** Whether `hostname` (URL.hostname: lower-cased, IPv4 canonical, IPv6 bracketed and compressed) cannot be on the public internet. */
function privateHost(hostname: string): boolean {
  if (hostname.startsWith("[")) {
    const ipv6 = hostname.slice(1, -1);
    return ipv6 === "::1" || /^f[cd][0-9a-f]{2}:/.test(ipv6);
  }
  const ipv4 = IPV4.exec(hostname);
  if (ipv4) return privateIpv4(Number(ipv4[1]), Number(ipv4[2]));
  // A fully qualified name's final dot names the same host.
  const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  return !name.includes(".") || PRIVATE_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

/** Whether the proxy may send a credential to `baseUrl` as it is: https, or http to a host that cannot be on the public internet. */
export function sendsCredentialSafely(baseUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return true; // not a URL: refused for that by requireHttpUrl, not here
  }
  return url.protocol !== "http:" || privateHost(url.hostname);
}

/** Why `baseUrl` is refused, for a message that names its own field. */
export function plaintextBaseUrlProblem(baseUrl: string): string {
  const https = baseUrl.replace(/^http:/, "https:");
  return (
    `${baseUrl} is plain http to a host that may be on the public internet, so the proxy would send the vendor credential unencrypted on every call: ` +
    `write ${https}; plain http is accepted only to loopback, 10/8, 172.16/12, 192.168/16, fc00::/7, a single-label name or a name ending in ` +
    `.local, .internal, .svc, .cluster.local or .lan, or when the control plane runs with ${PLAINTEXT_OPT_IN}=true`
  );
}

/** `baseUrl` unchanged, or BAD_USER_INPUT naming `field` when it is plain http to a public host and plaintext is not allowed. */
export function requireEncryptedBaseUrl(field: string, baseUrl: string, allowPlaintext: boolean): string {
  if (!allowPlaintext && !sendsCredentialSafely(baseUrl)) throw badInput(field, plaintextBaseUrlProblem(baseUrl));
  return baseUrl;
}
