/**
 * A media URL in a content part is fetched by whoever receives it: the vendor, or a self-hosted
 * server behind a plain-http private baseUrl (vLLM fetches image_url, video_url and audio_url itself,
 * with no host check by default and following redirects: vllm-project/vllm#57157, CVE-2025-6242). So
 * nothing in a request may point that fetch inside the operator's network: a URL whose host is a
 * loopback, private, link-local, unspecified, CGNAT, IPv4-mapped or IPv4-embedding address literal or a
 * local name (shared/http/host-scope.ts), that does not parse, or whose scheme is not http, https or
 * data:, is refused before any
 * vendor is called. No public vendor could fetch such a URL, so the rule costs nothing. Nor may a URL
 * on Gemini's API host, which names a file stored in the gateway's Gemini account
 * (vendor-file-references.ts), with ALLOW_PRIVATE_MEDIA_URLS too. A DNS name
 * that resolves to a private address cannot be seen here; README tells operators to restrict their
 * server's own media fetching (vLLM --allowed-media-domains).
 *
 * @example mediaUrlProblem("http://169.254.169.254/latest/meta-data/") // "... a link-local address ..."
 */
import { hostScope, type HostScope } from "../../shared/http/host-scope.ts";
import { isDataUrl } from "../providers/image-data-url.ts";
import { GEMINI_FILES_URL_REFUSED, namesGeminiFile } from "./vendor-file-references.ts";
import { isRecord } from "../../shared/is-record.ts";

const SCOPE_WORDS: Record<Exclude<HostScope, "public">, string> = {
  loopback: "a loopback address",
  private: "a private-network address",
  "link-local": "a link-local address (the cloud metadata endpoint among them)",
  unspecified: "an unspecified address",
  shared: "a carrier-grade NAT address (100.64.0.0/10)",
  "ipv4-mapped": "an IPv4-mapped IPv6 address",
  "ipv4-embedded": "an IPv6 address carrying a non-public IPv4 address (NAT64 64:ff9b::, IPv4-translated or IPv4-compatible)",
  "local-name": "a local name (single-label, localhost, kubernetes.default, or .internal, .local, .localhost, .svc, .cluster.local, .lan, .home.arpa)",
};

/**
 * Characters URL parsers disagree on: WHATWG reads `\` as `/` and drops tabs and newlines, while
 * other parsers (Python's) keep them, so `http://example.com\@10.0.0.5/` names a different host to each.
 * Looked for in the scheme and authority only (SCHEME_AND_AUTHORITY): in the path they name no host.
 */
const AMBIGUOUS = /[\\\s\u0000-\u001f\u007f]/;
/**
 * The scheme and authority as the most lenient parser reads them: up to the first `/`, `?` or `#` after
 * the scheme's slashes (Python's urlsplit netloc), backslashes and blanks among those slashes included.
 */
const SCHEME_AND_AUTHORITY = /^[^/?#]*?:[/\\\s]*[^/?#]*/;

/**
 * Why `url` may not be sent on as a media URL, or null when it may. A url that is not data: and that
 * the WHATWG parser cannot read is refused too: other parsers read hosts from some (Python's urlsplit
 * takes `http://[fe80::1%25eth0]/` and `http://10.0.0.1:99999/`), and OpenAI and Gemini refuse it anyway.
 * allowPrivateHosts (ALLOW_PRIVATE_MEDIA_URLS=true) skips only the host step (hostScope); the scheme,
 * ambiguity, Gemini Files, credentials and parse checks apply either way.
 */
export function mediaUrlProblem(url: string, allowPrivateHosts = false): string | null {
  const trimmed = url.trim();
  if (isDataUrl(trimmed)) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return "this is not a URL the gateway can read; send an absolute https URL or a data: URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `media URLs must be https, http or data:, not ${parsed.protocol}`;
  if (AMBIGUOUS.test(SCHEME_AND_AUTHORITY.exec(trimmed)?.[0] ?? trimmed)) return "a media URL's scheme and host may not contain backslashes, spaces or control characters";
  // Before the credentials check: a Files URL with userinfo is refused for what it names.
  if (namesGeminiFile(parsed)) return GEMINI_FILES_URL_REFUSED;
  if (parsed.username !== "" || parsed.password !== "") return "a media URL may not carry credentials";
  if (allowPrivateHosts) return null;
  const scope = hostScope(parsed.hostname);
  if (scope === "public") return null;
  return `the host of this media URL is ${SCOPE_WORDS[scope]}, which the gateway does not let a request reach; send an image by a public https URL or inline as a data: URL`;
}

/** The url-bearing fields of a content part: `url` or `*_url`, on the part or on one object it holds (image_url.url, video_url.url, audio_url.url). */
const urlField = (key: string) => key === "url" || key.endsWith("_url");

/**
 * The path and problem of the first media URL in `part` that may not be sent on, or null. Only the
 * url-bearing fields are read, never text. allowPrivateHosts as for mediaUrlProblem.
 *
 * @example mediaUrlInPart({ type: "video_url", video_url: { url: "http://10.0.0.5/a.mp4" } }, "messages[0].content[1]") // { param: "messages[0].content[1].video_url.url", ... }
 */
export function mediaUrlInPart(part: Record<string, unknown>, at: string, allowPrivateHosts = false): { param: string; problem: string } | null {
  for (const [key, value] of Object.entries(part)) {
    if (key === "type" || key === "text") continue;
    if (typeof value === "string") {
      const problem = urlField(key) ? mediaUrlProblem(value, allowPrivateHosts) : null;
      if (problem) return { param: `${at}.${key}`, problem };
    } else if (isRecord(value)) {
      for (const [sub, inner] of Object.entries(value)) {
        const problem = urlField(sub) && typeof inner === "string" ? mediaUrlProblem(inner, allowPrivateHosts) : null;
        if (problem) return { param: `${at}.${key}.${sub}`, problem };
      }
    }
  }
  return null;
}
