/**
 * A 2xx that is no answer of the vendor's API: a text/html page (a WAF, captive portal or load
 * balancer in front of the vendor: the request never reached the model) or a 204/205, which carries no
 * body by definition. Judged before the answer counts as the vendor's (walk-chain.ts `answered`): an
 * unbilled transient failure, retried and fallen back as any, charged nothing, as the same page sent
 * with a 503 is. Any other 2xx the gateway refuses was the vendor's answer, and billed.
 *
 * @example const refused = notApiResponse(response); if (refused) return refused;
 */
import type { AttemptFailure } from "./attempt-outcome.ts";

/** The trail's reason (one snake_case word, as the metrics label expects). */
const NOT_API_RESPONSE = "not_api_response";

/** Tested in place, no string made: a JSON answer's type fails at its first letter. */
const HTML = /^\s*text\/html/i;

export function notApiResponse(response: Response): AttemptFailure | null {
  const type = response.headers.get("content-type");
  const page = type !== null && HTML.test(type);
  if (!page && response.status !== 204 && response.status !== 205) return null;
  return { ok: false, kind: "transient", error: { kind: "upstream_invalid_response", message: "The model provider's API did not answer (a web page or an empty answer came instead)." }, retryAfterMs: null, reason: NOT_API_RESPONSE };
}
