/**
 * A request to the control plane that carries data whose loss or forgery matters (usage events, the
 * spend reported with a lease request) is sent with `redirect: "manual"`: fetch would re-send a 307/308's
 * POST to whatever host the Location names (without the token) and hand back that host's answer as the
 * control plane's. A 3xx is then a failed request, said with where it pointed (credentials masked).
 *
 * @example const redirect = redirectAnswer(response); if (redirect) log(`... a redirect (${redirect}) ...`);
 */
import { shownUrl } from "../config/shown-url.ts";

/** "307 to \"https://elsewhere/…\"" for a 3xx answer, else null. */
export function redirectAnswer(response: Response): string | null {
  if (response.status < 300 || response.status > 399) return null;
  const location = response.headers.get("location");
  return `${response.status} to ${location === null ? "no location" : shownUrl(location)}`;
}
