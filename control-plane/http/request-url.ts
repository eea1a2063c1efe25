/**
 * The URL a request carries, parsed. A request without a usable Host (HTTP/1.0 without one, or an
 * empty Host) carries only its path ("/health"), which `new URL` alone refuses: it is read against a
 * placeholder origin, so routing (pathname) and the query (search) work the same either way.
 */
const PLACEHOLDER_ORIGIN = "http://host.invalid";

export function requestUrl(request: Request): URL {
  return new URL(request.url, PLACEHOLDER_ORIGIN);
}
