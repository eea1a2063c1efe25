/**
 * A deployment's baseUrl is where the proxy sends the vendor credential (Authorization / api-key /
 * x-api-key / x-goog-api-key) on every call, so a plain http:// one is accepted only to a host that
 * cannot be on the public internet: loopback (127.0.0.0/8, ::1, localhost, *.localhost), the private
 * ranges clusters use (10/8, 172.16/12, 192.168/16, fc00::/7), a single-label name (`vllm`) and a name
 * ending in .local, .internal, .svc, .cluster.local, .lan or .home.arpa (shared/http/host-scope.ts). Anything else (a typo of https for
 * `http://api.openai.com/v1`, a public or link-local address) is refused unless the control plane runs
 * with ALLOW_PLAINTEXT_VENDOR_URLS=true, as the proxy refuses a plain http CONTROL_PLANE_URL off
 * loopback without ALLOW_INSECURE_CONTROL_PLANE=true. The host is judged as the URL parser reads it (a
 * stored baseUrl is its own parsed form: deployment-base-url.ts), never resolved.
 *
 * @example sendsCredentialSafely("http://vllm.inference.svc:8000/v1") // true
 * @example requireEncryptedBaseUrl("baseUrl", "http://api.openai.com/v1", false) // throws BAD_USER_INPUT
 */
import { hostScope } from "../../shared/http/host-scope.ts";
import { badInput } from "../graphql/errors.ts";

/** The control plane's opt-out (config.ts), named in every refusal. */
export const PLAINTEXT_OPT_IN = "ALLOW_PLAINTEXT_VENDOR_URLS";

/** Whether `hostname` (URL.hostname) cannot be on the public internet: loopback, a private range or a local name (link-local, CGNAT and IPv4-mapped addresses are not listed, so refused rather than guessed). */
const privateHost = (hostname: string): boolean => ["loopback", "private", "local-name"].includes(hostScope(hostname));

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
    `.local, .internal, .svc, .cluster.local, .lan or .home.arpa, or when the control plane runs with ${PLAINTEXT_OPT_IN}=true`
  );
}

/** `baseUrl` unchanged, or BAD_USER_INPUT naming `field` when it is plain http to a public host and plaintext is not allowed. */
export function requireEncryptedBaseUrl(field: string, baseUrl: string, allowPlaintext: boolean): string {
  if (!allowPlaintext && !sendsCredentialSafely(baseUrl)) throw badInput(field, plaintextBaseUrlProblem(baseUrl));
  return baseUrl;
}
