/**
 * A request body's content coding (RFC 9110 §8.4): the routes read plain bodies only, so a coded one
 * (gzip, br, …) is refused as such (415, RFC 9110 §15.5.16) and not as bytes that are neither UTF-8
 * nor JSON, with ACCEPT_NO_CODING. None, empty or `identity` is plain.
 *
 * @example const coding = unsupportedContentCoding(request); if (coding) return refuse415(`Content-Encoding ${coding} is not supported`);
 */

/**
 * The header a 415 for a coded body carries: the codings the route would take, none but identity
 * (RFC 9110 §15.5.16: such a 415 ought to list them in Accept-Encoding; RFC 7694 §3, §4's example).
 */
export const ACCEPT_NO_CODING: Readonly<Record<string, string>> = Object.freeze({ "accept-encoding": "identity" });

/** How much of an unsupported Content-Encoding a refusal repeats. */
const MAX_CODING_SHOWN = 64;

/** The coding as the refusal shows it (trimmed, at most 64 characters), or null for a plain body. */
export function unsupportedContentCoding(request: Request): string | null {
  const encoding = request.headers.get("content-encoding");
  if (encoding === null) return null;
  const coding = encoding.trim();
  if (coding === "" || coding.toLowerCase() === "identity") return null;
  return coding.slice(0, MAX_CODING_SHOWN);
}
